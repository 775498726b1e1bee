import Foundation

/// Claims the loopback block `127.0.B.0/24` for this test process against every
/// other test process on the machine (another tree's run, a second `swift test`):
/// an exclusive `flock` on `/tmp/conpaassql-test-blocks/B.lock`, and then each of
/// `ports` (address, port) free. A free-port probe alone let two runs pick the same
/// block between the probe and the bind, and one run's clients then called the
/// other's manager; the probe still catches what a killed run left listening.
///
/// Answers the lock's descriptor: closing it releases the claim, and the kernel
/// releases it when the process ends (even after SIGKILL). Nil when another process
/// holds the block or a port is taken.
public func claimLoopbackBlock(_ block: Int, free ports: [(address: String, port: UInt16)]) -> Int32? {
    let directory = "/tmp/conpaassql-test-blocks"
    mkdir(directory, 0o777)
    let descriptor = open("\(directory)/\(block).lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o666)
    guard descriptor >= 0 else { return nil }
    guard flock(descriptor, LOCK_EX | LOCK_NB) == 0, ports.allSatisfy({ isLoopbackPortFree($0.address, port: $0.port) }) else {
        close(descriptor)
        return nil
    }
    return descriptor
}
