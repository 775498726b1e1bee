import Foundation
import JSONRPC
import Testing

/// The `conpaassql` CLI against real managers.
@Suite("conpaassql CLI", .serialized)
struct ClientCLITests {
    @Test("nodes add 1 --wait prints a line per stage and ends with how to connect; --json, jobs, users, dump, performance, shutdown")
    func operatorSession() async throws {
        try await TestManager.with { manager in
            func cli(_ arguments: String..., stdin: String? = nil) async throws -> ClientRun {
                let run = try await ClientProcess.conpaassql(arguments + ["--manager", manager.url], stdin: stdin)
                try #require(run.status == 0, "\(arguments): \(run)")
                return run
            }
            let added = try await cli("nodes", "add", "1", "--wait")
            #expect(added.lines.first == "job 1: adding node-1")
            for stage in ["CREATE", "CONFIRM", "BOOTSTRAP", "CONFIGURE", "VALIDATE"] {
                #expect(added.lines.contains { $0.hasPrefix("node-1  \(stage)") && $0.contains("done") }, "\(stage): \(added)")
            }
            #expect(added.lines.contains("job 1 DONE: 5/5 stages"))
            #expect(added.lines.suffix(3) == [
                "writer  master    mariadb -h 127.0.\(manager.block).250 -P 3306 -u USER -p",
                "reader  replicas  mariadb -h 127.0.\(manager.block).250 -P 3307 -u USER -p",
                "node-1  master    mariadb -h 127.0.\(manager.block).1 -u USER -p",
            ], "\(added)")
            #expect(!added.stdout.contains("\u{1B}["), "no terminal escapes when stdout is not a terminal")

            let nodes = try await cli("nodes", "list", "--json").json()
            #expect(nodes.arrayValue?.map { $0["state"] } == ["RUNNING"])
            let node = try #require(nodes.arrayValue?.first)
            let job = try await cli("jobs", "show", "1").stdout
            #expect(job.contains("state     DONE") && job.contains("node-1  VALIDATE   DONE"), "\(job)")
            #expect(try await cli("jobs", "show", "1", "--json").json()["progress"] == ["done": 5, "total": 5])
            #expect(try await cli("--json", "jobs", "list").json()["jobs"]?.arrayValue?.count == 1)
            #expect(try await cli("--json", "jobs", "list", "--limit", "1", "--before", "2").json()["jobs"]?.arrayValue?.count == 1)

            _ = try await cli("users", "add", "shop", "--password-stdin", stdin: "s3cret-pw\n")
            #expect(try await cli("users", "list").stdout.contains("shop@%  node-1"))
            let dump = FileManager.default.temporaryDirectory.appendingPathComponent("cli-\(UUID().uuidString).sql")
            try Data("CREATE DATABASE cli;\nCREATE TABLE cli.t (v VARCHAR(20));\nINSERT INTO cli.t VALUES ('loaded');\n".utf8).write(to: dump)
            defer { try? FileManager.default.removeItem(at: dump) }
            #expect(try await cli("dump", "load", dump.path).stdout == "\(dump.path) loaded\n")
            #expect(try await rows(on: node, "SELECT v FROM cli.t") == ["loaded"])
            #expect(try await cli("performance", "--json").json()["nodes"]?["node-1"]?["role"] == "master")
            #expect(try await cli("service", "info").stdout.contains("state    RUNNING"))

            let refused = try await ClientProcess.conpaassql(["nodes", "remove", "--count", "1", "--manager", manager.url])
            #expect(refused.status == 1)
            #expect(refused.stderr == "conpaassql: Invalid argument: count DETAIL:there are only 0 replicas to remove\n")
            #expect(try await cli("shutdown", "--yes", "--json").json()["state"] == "EPILOGUE")
        }
    }

    @Test("nodes promote --wait switches over and says how long writes waited; failover is refused while the master is healthy; service info shows the epoch and the last failover")
    func promotion() async throws {
        try await TestManager.with { manager in
            _ = try await manager.client.call("add_nodes", params: ["count": 2])
            try await manager.waitForRunning(2)
            let promoted = try await ClientProcess.conpaassql(["nodes", "promote", "node-2", "--wait", "--manager", manager.url])
            #expect(promoted.status == 0, "\(promoted)")
            #expect(promoted.lines.first == "job 2: promoting node-2")
            #expect(promoted.lines.contains { $0.hasPrefix("node-1  REPOINT    done") && $0.hasSuffix("node-1 follows node-2") }, "\(promoted)")
            #expect(promoted.lines.contains { $0.hasPrefix("switchover node-1 → node-2 (epoch 1), writes unavailable ") && $0.hasSuffix(" ms") }, "\(promoted)")
            let refused = try await ClientProcess.conpaassql(["failover", "--manager", manager.url])
            #expect(refused.status == 1)
            #expect(refused.stderr == "conpaassql: master node-2 is healthy; use switchover\n")
            let info = try await ClientProcess.conpaassql(["service", "info", "--manager", manager.url]).stdout
            #expect(info.contains("master   node-2") && info.contains("epoch    1"), "\(info)")
            #expect(info.contains("last failover  switchover node-1 → node-2"), "\(info)")
        }
    }

    @Test("Exit codes: 3 unreachable in one line, 64 for usage, 1 for the manager's refusals; the token from --token or CONPAASSQL_TOKEN")
    func errorsAndToken() async throws {
        let unreachable = try await ClientProcess.conpaassql(["nodes", "list", "--manager", "http://127.0.0.1:1"])
        #expect(unreachable.status == 3)
        #expect(unreachable.stderr == "conpaassql: cannot reach http://127.0.0.1:1: connection refused\n")
        for arguments in [["nodes", "add", "0"], ["nodes", "remove"], ["nodes", "remove", "node-1", "--count", "1"], ["users", "add", "shop"]] {
            let run = try await ClientProcess.conpaassql(arguments + ["--manager", "http://127.0.0.1:1"])
            #expect(run.status == 64, "\(arguments): \(run)")
        }
        try await TestManager.withToken { manager, token in
            let refused = try await ClientProcess.conpaassql(["service", "info", "--manager", manager.url])
            #expect(refused.status == 1)
            #expect(refused.stderr == "conpaassql: Unauthorized: missing or invalid token (give --token or set CONPAASSQL_TOKEN)\n")
            let info = try await ClientProcess.conpaassql(["--manager", manager.url, "--token", token, "service", "info", "--json"])
            #expect(try info.json()["state"] == "INIT")
            let unknownJob = try await ClientProcess.conpaassql(
                ["jobs", "show", "99"], environment: ["CONPAASSQL_MANAGER": manager.url, "CONPAASSQL_TOKEN": token])
            #expect(unknownJob.status == 1)
            #expect(unknownJob.stderr == "conpaassql: Invalid argument: id DETAIL:unknown job 99\n")
            let badLimit = try await ClientProcess.conpaassql(
                ["jobs", "list", "--limit", "0"], environment: ["CONPAASSQL_MANAGER": manager.url, "CONPAASSQL_TOKEN": token])
            #expect(badLimit.stderr == "conpaassql: Invalid argument: limit DETAIL:must be from 1 to 1000\n")
        }
    }
}
