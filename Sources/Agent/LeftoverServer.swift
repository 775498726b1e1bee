import Glibc
import JSONRPC

/// A mariadbd that an earlier life of this agent started and left running: the
/// agent was killed (its mariadbd is not killed with it), and the VM's init
/// started a new one on the same data directory. It holds the port, the socket
/// and the data directory's lock, so the new agent stops it before its own start;
/// InnoDB's crash recovery makes that as safe as the crash it follows.
enum LeftoverServer {
    /// SIGKILLs the mariadbd named by `pidFile` when it is alive and was started
    /// with `myCnf`, and waits (up to 30 s) until it is gone; answers its pid, or
    /// nil when there was none. Blocking: run it on the thread pool.
    static func stop(pidFile: String, myCnf: String) -> Int32? {
        guard let pid = PidFile.process(at: pidFile, commandLineContaining: "--defaults-file=\(myCnf) ") else { return nil }
        kill(pid, SIGKILL)
        for _ in 0..<300 where PidFile.isAlive(pid) {
            usleep(100_000)
        }
        return pid
    }
}
