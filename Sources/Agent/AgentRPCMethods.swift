import JSONRPC

/// The agent's methods of PROTOCOL.md ("Agent methods"), plus the two that
/// masters offer other agents (`create_replication_user`, `drop_replication_user`).
enum AgentRPCMethods {
    static func make(for node: AgentNode, backups: PhysicalBackupSource) -> RPCMethods {
        var methods = RPCMethods()
        methods.register("get_server_state", kind: .get) { params in
            try params.expectOnly([])
            return ["return": await node.statusReport()]
        }
        methods.register("start_server", kind: .post) { params in
            try params.expectOnly([])
            try node.refuseWhileAwaitingRestore()
            node.supervisor.send(.start)
            try await node.waitUntilRunning()
            return ["return": "OK"]
        }
        methods.register("stop_server", kind: .post) { params in
            try params.expectOnly([])
            node.supervisor.send(.stop)
            try await node.waitUntilStopped()
            return ["return": "OK"]
        }
        methods.register("restart_server", kind: .post) { params in
            try params.expectOnly([])
            try node.refuseWhileAwaitingRestore()
            let starts = node.supervisor.starts
            node.supervisor.send(.restart)
            try await node.waitUntilRunning(startedAfter: starts)
            return ["return": "OK"]
        }
        registerUserMethods(&methods, node: node)
        registerReplicationMethods(&methods, node: node)
        registerBackupMethods(&methods, node: node, backups: backups)
        methods.register("set_server_configuration", kind: .post) { params in
            try params.expectOnly(["section", "id_param", "value"])
            let section = try params.string("section")
            guard section == "mysqld" else {
                throw RPCError.invalidArgument("section", detail: "only the mysqld section can be changed")
            }
            let name = try params.string("id_param")
            let text: String
            switch params.values["value"] {
            case .string(let string)?: text = string
            case .int(let number)?: text = String(number)
            case .bool(let on)?: text = on ? "ON" : "OFF"
            case nil: throw RPCError.missingArgument("value")
            default: throw RPCError.invalidArgument("value", detail: "expected a string or a number")
            }
            let value: ServerSettings.Value
            do {
                value = try ServerSettings.parse(name: name, text: text)
            } catch let error as AgentError {
                throw RPCError.invalidArgument("id_param", detail: error.message)
            }
            try await node.translatingErrors { try await node.setServerVariable(name: name, value: value) }
            return ["return": "OK"]
        }
        methods.register("send_mysqldump", kind: .upload) { params in
            try params.expectOnly(["mysqldump"])
            let file = try params.file("mysqldump")
            try await node.translatingErrors { try await node.loadDump(path: file.path) }
            return [:]
        }
        return methods
    }

    private static func registerUserMethods(_ methods: inout RPCMethods, node: AgentNode) {
        methods.register("configure_user", kind: .post) { params in
            try params.expectOnly(["username", "password"])
            let username = try checkedUserName(params)
            let password = try params.string("password")
            if let problem = AccountRules.problem(withPassword: password) {
                throw RPCError.invalidArgument("password", detail: problem)
            }
            try await node.translatingErrors { try await node.configureUser(username: username, password: password) }
            return ["return": "OK"]
        }
        methods.register("delete_user", kind: .post) { params in
            try params.expectOnly(["username"])
            let username = try checkedUserName(params)
            let existed = try await node.translatingErrors { try await node.deleteUser(username: username) }
            guard existed else { throw RPCError.invalidArgument("username", detail: "no such user") }
            return [:]
        }
        methods.register("get_all_users", kind: .get) { params in
            try params.expectOnly([])
            let users = try await node.translatingErrors { try await node.listUsers() }
            return ["users": .array(users.map { ["username": .string($0.username), "location": .string($0.location)] })]
        }
    }

    private static func checkedUserName(_ params: RPCParams) throws -> String {
        let username = try params.string("username")
        if let problem = AccountRules.problem(withUserName: username) {
            throw RPCError.invalidArgument("username", detail: problem)
        }
        return username
    }
}
