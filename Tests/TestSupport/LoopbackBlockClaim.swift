import Foundation

/// Claims the loopback block `127.0.B.0/24` for this test process against every
/// other test process on the machine (another tree's run, a second `swift test`):
/// an exclusive `flock` on `/tmp/conpaassql-test-blocks/B.lock`, held until the
/// process ends (the kernel drops it then, even after SIGKILL). A free-port probe
/// alone let two runs pick the same block between the probe and the bind, and one
/// run's clients then called the other's manager. Answers false when another
/// process holds the block.
public func claimLoopbackBlock(_ block: Int) -> Bool {
    let directory = "/tmp/conpaassql-test-blocks"
    mkdir(directory, 0o777)
    let descriptor = open("\(directory)/\(block).lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o666)
    guard descriptor >= 0 else { return false }
    guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
        close(descriptor)
        return false
    }
    return true  // the descriptor stays open: the claim lasts as long as the process
}
