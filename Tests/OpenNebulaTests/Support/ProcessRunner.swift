import Foundation

/// What a finished program printed and how it exited.
struct ProcessOutput {
    let status: Int32
    let output: String
}

/// Runs `executable` with `arguments` (found on PATH), waiting for it without
/// blocking a thread; stdout and stderr are collected together.
func runProgram(_ executable: String, _ arguments: [String]) async throws -> ProcessOutput {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [executable] + arguments
    let outputFile = temporaryDirectory() + "/output"
    _ = FileManager.default.createFile(atPath: outputFile, contents: nil)
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: outputFile))
    process.standardOutput = handle
    process.standardError = handle
    let status = try await process.runUntilExit()
    try handle.close()
    return ProcessOutput(status: status, output: (try? String(contentsOfFile: outputFile, encoding: .utf8)) ?? "")
}
