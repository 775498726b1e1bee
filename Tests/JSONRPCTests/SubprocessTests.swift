import Glibc
import JSONRPC
import Testing

@Suite("Subprocess (posix_spawn without Foundation)")
struct SubprocessTests {
    private func shell(_ script: String, stdin: BlockingFile? = nil, stdout: BlockingFile? = nil) throws -> Subprocess {
        try Subprocess(path: "/bin/sh", arguments: ["-c", script], environment: ["PATH": "/usr/bin:/bin"], stdin: stdin, stdout: stdout)
    }

    @Test("exit statuses and signals are told apart")
    func terminations() async throws {
        #expect(try await shell("exit 0").wait() == Termination(waitStatus: 0))
        let failed = try await shell("exit 3").wait()
        #expect(!failed.succeeded && !failed.signaled && failed.status == 3 && failed.description == "exit status 3")
        let sleeper = try shell("sleep 30")
        #expect(sleeper.isRunning)
        sleeper.send(SIGKILL)
        let killed = await sleeper.wait()
        #expect(killed.signaled && killed.status == SIGKILL && killed.description == "killed by signal 9")
        #expect(!sleeper.isRunning)
    }

    @Test("pipes carry stdin and stdout; the environment is exactly the one given")
    func pipes() async throws {
        let input = try BlockingFile.pipe()
        let output = try BlockingFile.pipe()
        let process = try shell(#"read line; echo "$line $FOO $HOME""#, stdin: input.read, stdout: output.write)
        try input.write.write(contentsOf: "hello\n".utf8)
        input.write.close()
        var text: [UInt8] = []
        while case let chunk = try output.read.read(upTo: 4096), !chunk.isEmpty { text += chunk }
        #expect(String(decoding: text, as: UTF8.self) == "hello  \n")
        #expect(await process.wait().succeeded)
    }

    @Test("the child gets no descriptor but its standard three, in a process group of its own")
    func isolation() async throws {
        let leaked = try BlockingFile.reading("/dev/null")
        let output = try BlockingFile.pipe()
        let process = try shell("ls /proc/self/fd; ps -o pgid= -p $$", stdout: output.write)
        var text: [UInt8] = []
        while case let chunk = try output.read.read(upTo: 4096), !chunk.isEmpty { text += chunk }
        #expect(await process.wait().succeeded)
        let lines = String(decoding: text, as: UTF8.self).split(separator: "\n").map { $0.trimmingWhitespace() }
        // ls itself opens one more descriptor (3) to read the directory; nothing else is open.
        #expect(leaked.descriptor > 3)
        #expect(Set(lines.dropLast()).isSubset(of: ["0", "1", "2", "3"]), "\(lines)")
        #expect(lines.last == String(process.pid))
    }

    @Test("a session leader leads its own session; signals the spawning thread blocks are not blocked in the child")
    func sessionAndSignals() async throws {
        // The mask is read by the exec'd grep itself: read from outside, the shell's shows glibc's
        // all-blocked set for as long as it is inside fork().
        let output = try BlockingFile.pipe()
        let process = try Self.spawnWithSIGUSR2Blocked(
            path: "/bin/sh", arguments: ["-c", "cut -d' ' -f6 /proc/$$/stat; exec grep SigBlk /proc/self/status"],
            environment: ["PATH": "/usr/bin:/bin"], stdout: output.write, grouping: .session)
        var text: [UInt8] = []
        while case let chunk = try output.read.read(upTo: 4096), !chunk.isEmpty { text += chunk }
        #expect(await process.wait().succeeded)
        let lines = String(decoding: text, as: UTF8.self).split(separator: "\n").map { $0.trimmingWhitespace() }
        #expect(lines.first == String(process.pid))
        #expect(lines.last == "SigBlk:\t0000000000000000")
    }

    @Test("run answers the whole output (a megabyte does not block the pipe) and puts errors where asked")
    func runForOutput() async throws {
        let environment = ["PATH": "/usr/bin:/bin"]
        let (big, bytes) = try await Subprocess.run("/bin/sh", ["-c", "head -c 1048576 /dev/zero; exit 4"], environment: environment)
        #expect(bytes.count == 1_048_576 && big.status == 4)
        let script = ["-c", "echo out; echo err >&2"]
        #expect(try await Subprocess.run("/bin/sh", script, environment: environment).output == Array("out\n".utf8))
        let merged = try await Subprocess.run("/bin/sh", script, environment: environment, errors: .withOutput).output
        #expect(String(decoding: merged, as: UTF8.self) == "out\nerr\n")
        let path = "/tmp/cq-subprocess-\(getpid()).err"
        defer { unlink(path) }
        _ = try await Subprocess.run("/bin/sh", script, environment: environment, errors: .file(BlockingFile.writing(path)))
        let file = try BlockingFile.reading(path)
        #expect(try file.read(upTo: 100) == Array("err\n".utf8))
    }

    /// Spawns with SIGUSR2 blocked in this thread, restored before returning (an await could move the task to another thread).
    private static func spawnWithSIGUSR2Blocked(
        path: String, arguments: [String], environment: [String: String], stdout: BlockingFile, grouping: Subprocess.Grouping
    ) throws -> Subprocess {
        var blocked = sigset_t()
        sigemptyset(&blocked)
        sigaddset(&blocked, SIGUSR2)
        var before = sigset_t()
        pthread_sigmask(SIG_BLOCK, &blocked, &before)
        defer { pthread_sigmask(SIG_SETMASK, &before, nil) }
        return try Subprocess(path: path, arguments: arguments, environment: environment, stdout: stdout, grouping: grouping)
    }

    @Test("a missing program is an error, not a child")
    func missing() {
        #expect(throws: FileError.self) { try Subprocess(path: "/nonexistent/program", arguments: [], environment: [:]) }
    }
}
