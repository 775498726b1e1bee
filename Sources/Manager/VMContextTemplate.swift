import ConPaaSCore

/// How the manager names its VMs and what it puts in their context.
struct VMContextTemplate: Sendable {
    /// Every VM name of this service starts with this (`conpaassql-<tag>-`).
    let namePrefix: String
    let managerAddress: String
    let managerPort: Int
    let secret: String
    /// Extra variables every agent VM gets (local cloud: `AGENT_SMALL`, `CONPAASSQL_BIN`).
    let extra: [String: String]

    init(serviceTag: String, managerAddress: String, managerPort: Int, secret: String, extra: [String: String]) {
        self.namePrefix = "conpaassql-\(serviceTag)-"
        self.managerAddress = managerAddress
        self.managerPort = managerPort
        self.secret = secret
        self.extra = extra
    }

    func vmName(for nodeID: String) -> String { namePrefix + nodeID }

    /// The request that boots `node`'s VM; `restoring` for a restore's new master,
    /// whose agent awaits the backup before starting mariadbd.
    func request(for node: NodeRecord, restoring: Bool = false) -> VMRequest {
        var context = extra
        if restoring { context[AgentContext.restore] = "yes" }
        context[AgentContext.managerIP] = managerAddress
        context[AgentContext.managerPort] = String(managerPort)
        context[AgentContext.serviceSecret] = secret
        context[AgentContext.nodeID] = node.id
        context[AgentContext.serverID] = String(node.serverID)
        context[AgentContext.role] = "agent"
        return VMRequest(name: vmName(for: node.id), context: context)
    }
}
