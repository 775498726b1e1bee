import Foundation
import Testing

@Suite("contextualization/manager/init.sh and shellcheck")
struct ManagerInitScriptTests {
    static let complete = [
        "IP_PUBLIC": "127.0.69.10", "ONE_ENDPOINT": "http://127.0.69.1:2633/RPC2", "ONE_USER": "oneadmin",
        "ONE_PASSWORD": "one-password-77", "ONE_IMAGE_ID": "4", "ONE_NETWORK_ID": "0",
    ]

    static func run(_ context: [String: String], in sandbox: Sandbox) async throws -> ScriptRun {
        let environment = context.merging(["PATH": "/usr/bin:/bin", "TMPDIR": sandbox.directory]) { $1 }
        return try await ScriptRun.bash(Sandbox.managerInit, environment: environment, in: sandbox.directory)
    }

    @Test("Each required variable is named when missing or empty", arguments: [
        "IP_PUBLIC", "ONE_ENDPOINT", "ONE_USER", "ONE_PASSWORD", "ONE_IMAGE_ID", "ONE_NETWORK_ID",
    ])
    func missingVariable(name: String) async throws {
        try await Sandbox.with { sandbox in
            for value in [nil, ""] as [String?] {
                var context = Self.complete
                context[name] = value
                let result = try await Self.run(context, in: sandbox)
                #expect(result.standardError == "init.sh: context.sh lacks \(name)\n")
                #expect(result.status == 1)
            }
        }
    }

    @Test("Bad numbers and endpoints are refused", arguments: [
        ("MANAGER_PORT", "0", "init.sh: MANAGER_PORT must be a port number (1-65535), not '0'"),
        ("ONE_IMAGE_ID", "four", "init.sh: ONE_IMAGE_ID must be a number, not 'four'"),
        ("ONE_NETWORK_ID", "1;2", "init.sh: ONE_NETWORK_ID must be a number, not '1;2'"),
        ("ONE_ENDPOINT", "127.0.69.1:2633", "init.sh: ONE_ENDPOINT must be an http:// or https:// URL, not '127.0.69.1:2633'"),
        ("CONPAASSQL_BIN", "/nonexistent", "init.sh: no executable conpaassql-manager in CONPAASSQL_BIN (/nonexistent)"),
    ])
    func validation(name: String, value: String, message: String) async throws {
        try await Sandbox.with { sandbox in
            var context = Self.complete
            context[name] = value
            let result = try await Self.run(context, in: sandbox)
            #expect(result.standardError == message + "\n")
            #expect(result.status == 1)
        }
    }

    @Test("With everything present it writes 0600 secret files and execs conpaassql-manager with exactly these arguments")
    func execsManager() async throws {
        try await Sandbox.with { sandbox in
            try sandbox.script("bin/conpaassql-manager", "#!/bin/bash\nprintf '%s\\n' \"$@\"\n")
            var context = Self.complete
            context["CONPAASSQL_BIN"] = "\(sandbox.directory)/bin"
            context["MANAGER_STATE_DIR"] = "\(sandbox.directory)/manager"
            context["MANAGER_TOKEN"] = "token-31"
            let result = try await Self.run(context, in: sandbox)
            #expect(result.status == 0)
            #expect(result.standardError == "")
            let state = "\(sandbox.directory)/manager"
            #expect(result.standardOutput.split(separator: "\n").map(String.init) == [
                "--address", "127.0.69.10", "--port", "50000", "--state-dir", state, "--cloud", "opennebula",
                "--one-endpoint", "http://127.0.69.1:2633/RPC2", "--one-user", "oneadmin",
                "--one-password-file", "\(state)/one-password", "--one-image-id", "4", "--one-network-id", "0",
                "--token-file", "\(state)/token",
            ])
            for (file, secret) in [("one-password", "one-password-77"), ("token", "token-31")] {
                #expect(try String(contentsOfFile: "\(state)/\(file)", encoding: .utf8) == secret + "\n")
                let mode = try FileManager.default.attributesOfItem(atPath: "\(state)/\(file)")[.posixPermissions] as? NSNumber
                #expect(mode?.intValue == 0o600)
            }
        }
    }

    @Test("shellcheck passes on every contextualization script", .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/shellcheck")))
    func shellcheck() async throws {
        try await Sandbox.with { sandbox in
            let scripts = [Sandbox.bootHook, Sandbox.agentInit, Sandbox.managerInit]
            let checker = try sandbox.script("shellcheck.sh", "#!/bin/bash\nexec /usr/bin/shellcheck \"$@\"\n")
            let result = try await ScriptRun.bash(checker, scripts, environment: ["PATH": "/usr/bin:/bin"], in: sandbox.directory)
            #expect(result.status == 0, "\(result.standardOutput)")
        }
    }
}
