/// SIPp UAS scenarios for the SIP adapter's tests, written to SIPp's directory by each test.
enum SIPScenarios {
    /// The SDP answer of the far end: PCMU and telephone-event 101 on `port` (SIPp's `[media_port]`
    /// by default).
    static func sdp(port: String = "[media_port]", codecs: String = "0 101", extra: String = "a=rtpmap:0 PCMU/8000")
        -> String
    {
        """
        v=0
              o=sipp 53655765 2353687637 IN IP[local_ip_type] [local_ip]
              s=-
              c=IN IP[media_ip_type] [media_ip]
              t=0 0
              m=audio \(port) RTP/AVP \(codecs)
              \(extra)
              a=rtpmap:101 telephone-event/8000
              a=fmtp:101 0-15
        """
    }

    static func response(_ status: String, sdp: String? = nil, extraHeaders: String = "") -> String {
        let body =
            sdp.map { "Content-Type: application/sdp\n      Content-Length: [len]\n\n      \($0)" }
            ?? "Content-Length: 0"
        return """
              <send>
                <![CDATA[
              SIP/2.0 \(status)
              [last_Via:]
              [last_From:]
              [last_To:];tag=[pid]SIPpTag01[call_number]
              [last_Call-ID:]
              [last_CSeq:]
              Contact: <sip:[local_ip]:[local_port];transport=[transport]>
              \(extraHeaders.isEmpty ? "" : extraHeaders + "\n      ")\(body)

                ]]>
              </send>
            """
    }

    /// Stores the INVITE's From (for the BYE's To) and CSeq number (for the 487).
    static let recvInvite = """
          <recv request="INVITE">
            <action>
              <ereg regexp=".*" search_in="hdr" header="From:" assign_to="remote_from" />
              <ereg regexp="[0-9]+" search_in="hdr" header="CSeq:" assign_to="invite_cseq" />
              <ereg regexp="X-Fanout-Key: .*" search_in="msg" check_it="true" assign_to="fanout_key" />
            </action>
          </recv>
          <nop hide="true"><action><log message="[$remote_from] [$invite_cseq] [$fanout_key]" /></action></nop>
        """

    static func scenario(_ name: String, _ body: String) -> String {
        """
        <?xml version="1.0" encoding="ISO-8859-1" ?>
        <!DOCTYPE scenario SYSTEM "sipp.dtd">
        <scenario name="\(name)">
        \(body)
        </scenario>
        """
    }

    static let ackThenBye = """
          <recv request="ACK" />
          <recv request="BYE" />
        \(response("200 OK"))
        """

    /// Challenges the first INVITE (401, digest MD5 with qop=auth), checks the credentials of the
    /// second with SIPp's own `verifyauth` (a wrong answer gets 403), rings, answers, and waits
    /// for the adapter's BYE.
    static func answersWithDigest(username: String, password: String) -> String {
        scenario(
            "answers after digest authentication",
            """
            \(recvInvite)
            \(response("401 Unauthorized", extraHeaders: "WWW-Authenticate: Digest realm=\"fanout.test\", nonce=\"4f6e63652d[call_number]\", qop=\"auth\", algorithm=MD5"))
              <recv request="ACK" />
              <recv request="INVITE" check_it="true">
                <action>
                  <verifyauth assign_to="authvalid" username="\(username)" password="\(password)" />
                </action>
              </recv>
              <nop hide="true" test="authvalid" next="goodauth" />
            \(response("403 Forbidden"))
              <recv request="ACK" next="fail" />
              <label id="goodauth" />
            \(response("100 Trying"))
            \(response("180 Ringing"))
              <pause milliseconds="200" />
            \(response("200 OK", sdp: sdp()))
            \(ackThenBye)
              <label id="fail" />
            """)
    }

    /// Answers at once with media to `port` and waits for the adapter's BYE.
    static func answers(
        mediaPort: String = "[media_port]", codecs: String = "0 101", map: String = "a=rtpmap:0 PCMU/8000"
    )
        -> String
    {
        scenario(
            "answers",
            """
            \(recvInvite)
            \(response("100 Trying"))
            \(response("200 OK", sdp: sdp(port: mediaPort, codecs: codecs, extra: map)))
            \(ackThenBye)
            """)
    }

    /// Answers, then presses `pcap`'s key (an RFC 4733 event from sip-tester's pcap files) after
    /// `afterMilliseconds`, and waits for the adapter's BYE.
    static func answersAndPresses(_ pcap: String, afterMilliseconds: Int) -> String {
        scenario(
            "answers and presses a key",
            """
            \(recvInvite)
            \(response("200 OK", sdp: sdp()))
              <recv request="ACK" />
              <pause milliseconds="\(afterMilliseconds)" />
              <nop><action><exec play_pcap_audio="\(pcap)" /></action></nop>
              <recv request="BYE" />
            \(response("200 OK"))
            """)
    }

    /// Answers, then hangs up itself after `afterMilliseconds` (before the message has played).
    static let hangsUpMidMessage = scenario(
        "hangs up in the middle of the message",
        """
        \(recvInvite)
        \(response("200 OK", sdp: sdp()))
          <recv request="ACK" />
          <pause milliseconds="700" />
          <send>
            <![CDATA[
          BYE sip:fanout@[remote_ip]:[remote_port] SIP/2.0
          Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
          From: <sip:[local_ip]:[local_port]>;tag=[pid]SIPpTag01[call_number]
          To: [$remote_from]
          [last_Call-ID:]
          CSeq: 2 BYE
          Max-Forwards: 70
          Content-Length: 0

            ]]>
          </send>
          <recv response="200" />
        """)

    /// A final response `status` (with `header` when not empty) after 100 Trying.
    static func refuses(_ status: String, header: String) -> String {
        scenario(
            "refuses",
            """
            \(recvInvite)
            \(response("100 Trying"))
            \(response(status, extraHeaders: header))
              <recv request="ACK" />
            """)
    }

    /// Busy: 100, then 486.
    static let busy = scenario(
        "busy",
        """
        \(recvInvite)
        \(response("100 Trying"))
        \(response("486 Busy Here"))
          <recv request="ACK" />
        """)

    /// Rings and never answers: expects the adapter's CANCEL, answers it, ends the INVITE with 487.
    static let ringsForever = scenario(
        "rings and is cancelled",
        """
        \(recvInvite)
        \(response("100 Trying"))
        \(response("180 Ringing"))
          <recv request="CANCEL" />
        \(response("200 OK"))
          <send>
            <![CDATA[
          SIP/2.0 487 Request Terminated
          [last_Via:]
          [last_From:]
          [last_To:];tag=[pid]SIPpTag01[call_number]
          [last_Call-ID:]
          CSeq: [$invite_cseq] INVITE
          Content-Length: 0

            ]]>
          </send>
          <recv request="ACK" />
        """)

    /// Sends malformed responses (a header line without a colon, a Content-Length beyond the datagram, no CSeq,
    /// a response for another call, not SIP at all), then a real 486.
    static let malformedThenBusy = scenario(
        "malformed responses, then busy",
        """
        \(recvInvite)
          <send>
            <![CDATA[
          SIP/2.0 200 OK
          [last_Via:]
          a header line without a colon
          [last_Call-ID:]
          Content-Length: 0

            ]]>
          </send>
          <send>
            <![CDATA[
          SIP/2.0 200 OK
          [last_Via:]
          [last_From:]
          [last_To:];tag=1
          [last_Call-ID:]
          [last_CSeq:]
          Content-Type: application/sdp
          Content-Length: 9999

          v=0
            ]]>
          </send>
          <send>
            <![CDATA[
          SIP/2.0 180 Ringing
          [last_Via:]
          [last_From:]
          [last_To:]
          [last_Call-ID:]
          Content-Length: 0

            ]]>
          </send>
          <send>
            <![CDATA[
          SIP/2.0 200 OK
          [last_Via:]
          [last_From:]
          [last_To:];tag=2
          Call-ID: not-a-call-of-the-adapter
          [last_CSeq:]
          Content-Length: 0

            ]]>
          </send>
          <send>
            <![CDATA[
          this is not SIP +31612345678 at all
            ]]>
          </send>
        \(response("486 Busy Here"))
          <recv request="ACK" />
        """)
}
