import ConPaaSCore
import JSONRPC

extension ManagerRPCMethods {
    static func registerDatabaseMethods(_ methods: inout RPCMethods, service: ManagerService) {
        methods.registerForwarding("configure_user", kind: .post, metrics: service.metrics) { params in
            try params.expectOnly(["serviceNodeId", "username", "password"])
            let targets = try service.userTargets(try params.string("serviceNodeId"), in: service.store.snapshot())
            let forwarded: [String: JSONValue] = ["username": .string(try params.string("username")), "password": .string(try params.string("password"))]
            for address in targets { _ = try await service.agents.client(for: address).call("configure_user", params: forwarded) }
            return [:]
        }
        methods.registerForwarding("set_password", kind: .post, metrics: service.metrics) { params in
            try params.expectOnly(["user", "password"])
            let targets = try service.userTargets("all", in: service.store.snapshot())
            let forwarded: [String: JSONValue] = ["username": .string(try params.string("user")), "password": .string(try params.string("password"))]
            for address in targets { _ = try await service.agents.client(for: address).call("configure_user", params: forwarded) }
            return [:]
        }
        methods.registerForwarding("delete_user", kind: .post, metrics: service.metrics) { params in
            try params.expectOnly(["serviceNodeId", "username"])
            let targets = try service.userTargets(try params.string("serviceNodeId"), in: service.store.snapshot())
            for address in targets {
                _ = try await service.agents.client(for: address).call("delete_user", params: ["username": .string(try params.string("username"))])
            }
            return [:]
        }
        methods.registerForwarding("get_users", kind: .get, metrics: service.metrics) { params in
            try params.expectOnly([])
            let nodes = service.store.snapshot().liveNodes.filter { $0.state == .running && $0.address != nil }
            var users: [String: JSONValue] = [:]
            for node in nodes {
                users[node.id] = try await service.agents.client(for: node.address!).call("get_all_users", kind: .get)["users"] ?? []
            }
            return ["users": .object(users)]
        }
        methods.registerForwarding("send_mysqldump", kind: .upload, metrics: service.metrics) { params in
            try params.expectOnly(["serviceNodeId", "mysqldump"])
            let selector = try params.string("serviceNodeId")
            let file = try params.file("mysqldump")
            let snapshot = service.store.snapshot()
            guard let master = snapshot.writableMaster, let address = master.address else { throw RPCError.wrongState }
            guard selector == "all" || selector == master.id else {
                throw RPCError.invalidArgument("serviceNodeId", detail: "dumps load on the master (\(master.id)) or \"all\"")
            }
            _ = try await service.agents.client(for: address, timeout: .seconds(3600)).upload("send_mysqldump", fileField: "mysqldump", filePath: file.path)
            return [:]
        }
        methods.registerForwarding("set_up_replica_master", kind: .post, metrics: service.metrics) { params in
            try params.expectOnly(["id"])
            let snapshot = service.store.snapshot()
            var target = try service.runningNode(try params.string("id"), parameter: "id", in: snapshot)
            if target.node.id != snapshot.master?.id {
                // Making a replica the master is a switchover: one writer, every replica following it.
                let job = try await service.switchover(to: target.node.id, then: .demote, jobKind: .switchover)
                let ended = try await service.waitForJob(job.id!)
                guard ended.state == .done else { throw RPCError.failed("the switchover to \(target.node.id) failed: \(ended.message ?? "see get_job \(job.id!)")") }
                target = try service.runningNode(target.node.id, parameter: "id", in: service.store.snapshot())
            }
            let replicas = snapshot.liveNodes.filter { $0.role != .master && $0.state == .running }.count
            let epoch = service.store.snapshot().service.epoch
            return try await service.agents.client(for: target.address)
                .call("set_up_replica_master", params: ["epoch": .int(epoch), "semi_sync": .bool(replicas > 0)])
        }
        methods.registerForwarding("set_up_replica_slave", kind: .post, metrics: service.metrics) { params in
            try params.expectOnly(["id", "master_id", "master_host", "master_log_file", "master_log_pos", "slave_server_id"])
            let snapshot = service.store.snapshot()
            let target = try service.runningNode(try params.string("id"), parameter: "id", in: snapshot)
            if target.node.id == snapshot.master?.id {
                throw RPCError.failed("\(target.node.id) is the writable master; it cannot become a replica (switch over to another node first)")
            }
            var forwarded = params.values
            forwarded["id"] = nil
            if let masterID = try params.optionalString("master_id") {
                forwarded["master_id"] = nil
                forwarded["master_host"] = .string(try service.runningNode(masterID, parameter: "master_id", in: snapshot).address)
            } else if let host = try params.optionalString("master_host") {
                // The agent sends the service secret to its master: only this service's nodes qualify.
                guard snapshot.liveNodes.contains(where: { $0.address == host && $0.state == .running }) else {
                    throw RPCError.invalidArgument("master_host", detail: "\(host) is not a running node of this service")
                }
            } else {
                throw RPCError.missingArgument("master_id")
            }
            _ = try await service.agents.client(for: target.address, timeout: .seconds(3600)).call("set_up_replica_slave", params: forwarded)
            return [:]
        }
    }
}
