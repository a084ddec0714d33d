// Built by ReadmeProgramTests in a new package that depends on fanout and imports FanoutEngine
// only: eight tasks select at once through one SelectionService.
import FanoutEngine

let db = CommandLine.arguments.dropFirst().first ?? "participants.sqlite"
let service = try SelectionService.open(registryAt: db, engines: 4)
let centers = (0..<8).map { k in LonLat(lon: 5.1000 + 0.006 * Double(k), lat: 52.0907) }
let selections = try await withThrowingTaskGroup(of: (Int, [Int64]).self) { group in
    for (k, center) in centers.enumerated() {
        group.addTask {
            let result = try await service.select(SelectionRequest(area: .circle(center: center, radiusMeters: 800)))
            return (k, result.participants.map(\.id))
        }
    }
    var ids = [[Int64]](repeating: [], count: centers.count)
    for try await (k, list) in group { ids[k] = list }
    return ids
}
await service.close()
for (k, ids) in selections.enumerated() {
    print("circle \(k): " + ids.sorted().map(String.init).joined(separator: ","))
}
