import FanOut
import Foundation
import Hummingbird
import Logging

extension ControlRoom {
    /// Records who gave a command, when (UTC) and under which request id, in the service log.
    func audit(_ principal: Principal, _ context: ServeContext, _ command: String, action: ActionID?) {
        var metadata: Logger.Metadata = [
            "operator": "\(principal.subject)", "role": "\(principal.role.rawValue)", "request_id": "\(context.id)",
            "command": "\(command)",
        ]
        if let action { metadata["action"] = "\(action.rawValue)" }
        Logger(label: "fanout.serve.audit").info("command", metadata: metadata)
    }
}
