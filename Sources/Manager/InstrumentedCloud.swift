import ConPaaSCore

/// A cloud driver whose calls are counted and timed in the manager's metrics.
struct InstrumentedCloud: CloudDriver {
    let cloud: any CloudDriver
    let metrics: ManagerMetrics

    var name: String { cloud.name }

    func createVM(_ request: VMRequest) async throws(CloudError) -> VMInfo {
        try await measure("createVM") { () throws(CloudError) in try await cloud.createVM(request) }
    }

    func listVMs(namePrefix: String) async throws(CloudError) -> [VMInfo] {
        try await measure("listVMs") { () throws(CloudError) in try await cloud.listVMs(namePrefix: namePrefix) }
    }

    func destroyVM(id: String) async throws(CloudError) {
        try await measure("destroyVM") { () throws(CloudError) in try await cloud.destroyVM(id: id) }
    }

    func fenceVM(id: String) async throws(CloudError) {
        try await measure("fenceVM") { () throws(CloudError) in try await cloud.fenceVM(id: id) }
    }

    private func measure<T>(_ method: String, _ call: () async throws(CloudError) -> T) async throws(CloudError) -> T {
        let started = ContinuousClock.now
        do {
            let result = try await call()
            metrics.cloudCall(cloud: cloud.name, method: method, outcome: "ok", duration: ContinuousClock.now - started)
            return result
        } catch {
            metrics.cloudCall(cloud: cloud.name, method: method, outcome: "\(error.code)", duration: ContinuousClock.now - started)
            throw error
        }
    }
}
