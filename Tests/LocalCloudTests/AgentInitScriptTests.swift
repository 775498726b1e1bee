import Foundation
import Testing

@Suite("contextualization/agent/init.sh")
struct AgentInitScriptTests {
    static let complete = [
        "MANAGER_IP": "127.0.68.254", "MANAGER_PORT": "50000", "SERVICE_SECRET": "agent-secret-9f2",
        "NODE_ID": "node-7", "IP_PUBLIC": "127.0.68.1",
    ]

    /// The environment boot-hook.sh would give init.sh, with a `curl` on PATH that records its arguments.
    static func environment(_ context: [String: String], in sandbox: Sandbox) throws -> [String: String] {
        try sandbox.script("wrappers/curl", """
            #!/bin/bash
            printf '%s\\n' "$@" > "$(dirname "$0")/curl-arguments"
            exec /usr/bin/curl "$@"
            """)
        return context.merging(["PATH": "\(sandbox.directory)/wrappers:/usr/bin:/bin", "TMPDIR": sandbox.directory]) { $1 }
    }

    @Test("Lacking IP_PUBLIC: exact message, exit 1, register_node FAILED to the manager with the secret only in a header (127.0.66.x)")
    func reportsMissingVariable() async throws {
        try await Sandbox.with { sandbox in
            let manager = try OneRequestHTTPListener(address: "127.0.66.1")
            var context = Self.complete
            context["IP_PUBLIC"] = nil
            context["MANAGER_IP"] = "127.0.66.1"
            context["MANAGER_PORT"] = "\(manager.port)"
            let environment = try Self.environment(context, in: sandbox)
            async let run = ScriptRun.bash(Sandbox.agentInit, environment: environment, in: sandbox.directory)
            let request = try await manager.receive()
            let result = try await run

            #expect(result.standardError == "init.sh: context.sh lacks IP_PUBLIC\n")
            #expect(result.status == 1)
            #expect(request.requestLine == "POST / HTTP/1.1")
            #expect(request.header("Authorization") == "Bearer agent-secret-9f2")
            #expect(request.header("Content-Type") == "application/json")
            #expect(request.body == #"{"method":"register_node","params":{"state":{"id":"node-7","state":"FAILED","error":"context.sh lacks IP_PUBLIC"}},"id":1}"#)
            let curlArguments = try String(contentsOfFile: "\(sandbox.directory)/wrappers/curl-arguments", encoding: .utf8)
            #expect(!curlArguments.contains("agent-secret"))
            let headerFile = try #require(curlArguments.split(separator: "\n").first { $0.hasPrefix("@") }).dropFirst()
            #expect(!FileManager.default.fileExists(atPath: String(headerFile)), "the header file is removed")
        }
    }

    @Test("A missing (or empty) variable is named; without all of the manager's four, the manager is not called", arguments: [
        ("MANAGER_IP", nil), ("MANAGER_PORT", nil), ("SERVICE_SECRET", nil), ("NODE_ID", nil), ("NODE_ID", ""),
    ] as [(String, String?)])
    func missingVariable(name: String, value: String?) async throws {
        try await Sandbox.with { sandbox in
            var context = Self.complete
            context[name] = value
            let result = try await ScriptRun.bash(Sandbox.agentInit, environment: try Self.environment(context, in: sandbox), in: sandbox.directory)
            #expect(result.standardError == "init.sh: context.sh lacks \(name)\n")
            #expect(result.status == 1)
            #expect(!FileManager.default.fileExists(atPath: "\(sandbox.directory)/wrappers/curl-arguments"))
        }
    }

    @Test("With everything present it runs conpaassql-agent from CONPAASSQL_BIN with exactly these arguments (127.0.68.x)")
    func execsAgent() async throws {
        try await Sandbox.with { sandbox in
            try sandbox.script("bin/conpaassql-agent", "#!/bin/bash\nprintf '%s\\n' \"$@\"\n")
            var context = Self.complete
            context["CONPAASSQL_BIN"] = "\(sandbox.directory)/bin"
            context["AGENT_DATA_DIR"] = "\(sandbox.directory)/data"
            context["AGENT_PORT"] = "61000"
            context["MYSQL_PORT"] = "3307"
            context["SERVER_ID"] = "12"
            context["AGENT_SMALL"] = "yes"
            context["AGENT_RESTORE"] = "yes"
            let result = try await ScriptRun.bash(Sandbox.agentInit, environment: try Self.environment(context, in: sandbox), in: sandbox.directory)
            #expect(result.status == 0)
            #expect(result.standardError == "")
            let data = "\(sandbox.directory)/data"
            #expect(result.standardOutput.split(separator: "\n").map(String.init) == [
                "--address", "127.0.68.1", "--port", "61000", "--mysql-port", "3307",
                "--data-dir", "\(data)/node", "--secret-file", "\(data)/secret",
                "--manager", "http://127.0.68.254:50000", "--node-id", "node-7", "--server-id", "12", "--small",
                "--await-restore",
            ])
            #expect(!result.standardOutput.contains("agent-secret"))
            #expect(try String(contentsOfFile: "\(data)/secret", encoding: .utf8) == "agent-secret-9f2\n")
            let mode = try FileManager.default.attributesOfItem(atPath: "\(data)/secret")[.posixPermissions] as? NSNumber
            #expect(mode?.intValue == 0o600)
        }
    }

    @Test("Ports, SERVER_ID, AGENT_SMALL and AGENT_RESTORE are validated", arguments: [
        ("AGENT_PORT", "6x", "init.sh: AGENT_PORT must be a port number (1-65535), not '6x'"),
        ("MYSQL_PORT", "70000", "init.sh: MYSQL_PORT must be a port number (1-65535), not '70000'"),
        ("SERVER_ID", "-3", "init.sh: SERVER_ID must be a number from 1 to 4294967295, not '-3'"),
        ("SERVER_ID", "0", "init.sh: SERVER_ID must be a number from 1 to 4294967295, not '0'"),
        ("AGENT_SMALL", "maybe", "init.sh: AGENT_SMALL must be yes or no, not 'maybe'"),
        ("AGENT_RESTORE", "1", "init.sh: AGENT_RESTORE must be yes or no, not '1'"),
    ])
    func validation(name: String, value: String, message: String) async throws {
        try await Sandbox.with { sandbox in
            var context = Self.complete
            context[name] = value
            context["MANAGER_PORT"] = "1"  // nothing listens there: the report fails at once, after the message
            let result = try await ScriptRun.bash(Sandbox.agentInit, environment: try Self.environment(context, in: sandbox), in: sandbox.directory)
            #expect(result.standardError.hasPrefix(message + "\n"))
            #expect(result.status == 1)
        }
    }
}
