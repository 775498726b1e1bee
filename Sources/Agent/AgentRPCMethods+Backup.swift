import ConPaaSCore
import JSONRPC

extension AgentRPCMethods {
    /// `backup_result` (the position of a backup streamed from `/backup`) and
    /// `restore_backup` (a new node becomes a copy of a stored backup).
    static func registerBackupMethods(_ methods: inout RPCMethods, node: AgentNode, backups: PhysicalBackupSource) {
        methods.register("backup_result", kind: .get) { params in
            try params.expectOnly(["token"])
            let position = try await node.translatingErrors { try backups.result(token: try params.string("token")) }
            return ["gtid": .string(position.gtid), "binlog_file": .string(position.binlogFile), "binlog_pos": .int(position.binlogPosition)]
        }
        methods.register("restore_backup", kind: .post) { params in
            let request = try restoreRequest(from: params)
            let outcome = try await node.translatingErrors { try await node.restore(request) }
            return ["backup_gtid": .string(outcome.backup), "gtid": .string(outcome.reached)]
        }
    }

    static func restoreRequest(from params: RPCParams) throws -> RestoreRequest {
        try params.expectOnly(["backup", "compressed", "binlogs", "stop_datetime", "stop_gtid"])
        let backup = try params.string("backup")
        guard BackupStorePath.isValid(backup) else { throw RPCError.invalidArgument("backup", detail: "not a path in the backup store") }
        var segments: [[String]] = []
        if let value = params.values["binlogs"] {
            guard case .array(let items) = value else { throw RPCError.invalidArgument("binlogs", detail: "expected a list of lists of paths") }
            segments = try items.map { item in
                guard case .array(let files) = item else { throw RPCError.invalidArgument("binlogs", detail: "expected a list of lists of paths") }
                return try files.map { file in
                    guard let path = file.stringValue, BackupStorePath.isValid(path) else {
                        throw RPCError.invalidArgument("binlogs", detail: "not a path in the backup store")
                    }
                    return path
                }
            }
        }
        var stop: ReplayStop?
        if let text = try params.optionalString("stop_gtid") {
            guard let position = GTIDPosition(text), position.domains.count == 1, let gtid = position.domains.values.first else {
                throw RPCError.invalidArgument("stop_gtid", detail: "expected one GTID (domain-server-sequence)")
            }
            stop = .gtid(gtid)
        } else if let text = try params.optionalString("stop_datetime") {
            guard text.count == 19, text.allSatisfy({ $0.isNumber || "-: ".contains($0) }) else {
                throw RPCError.invalidArgument("stop_datetime", detail: "expected YYYY-MM-DD HH:MM:SS (UTC)")
            }
            stop = .time(text)
        }
        return RestoreRequest(backupPath: backup, compressed: try params.optionalBool("compressed") ?? true, binlogSegments: segments, stop: stop)
    }
}
