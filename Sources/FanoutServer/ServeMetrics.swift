import Hummingbird
import Prometheus
import Synchronization

/// The service's Prometheus registry: the dispatcher's counters and gauges (through its metrics
/// factory) and request latency histograms per route.
final class ServeMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    /// The factory the dispatcher records into.
    var factory: PrometheusMetricsFactory { PrometheusMetricsFactory(registry: registry) }

    static let buckets: [Duration] = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(20), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(10),
    ]

    /// Records one request.
    func record(route: String, method: String, status: Int, duration: Duration) {
        registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(
                metricName: "fanout_http_request_duration", unitName: "seconds",
                helpText: "Time from request to response head, per route"),
            labels: [("route", route), ("method", method), ("status", String(status))], buckets: Self.buckets
        ).recordNanoseconds(Int64(duration.components.seconds) * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
    }

    /// The Prometheus text exposition.
    func exposition() -> [UInt8] { registry.emitToBuffer() }
}

/// Records every request's latency under its route pattern (`/v1/actions/{id}`), never its path
/// (ids would make a series each).
struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServeMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let route = context.endpointPath.map { $0.replacingOccurrences(of: ":id", with: "{id}").replacingOccurrences(of: ":pid", with: "{pid}") } ?? "unmatched"
        metrics.record(
            route: route, method: request.method.rawValue, status: Int(response.status.code),
            duration: ContinuousClock.now - start)
        return response
    }
}
