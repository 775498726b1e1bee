import NIOPosix

/// A thread pool for the tests' own blocking calls (their MariaDB connections),
/// so that they neither queue behind nor hold up the code under test, which
/// uses `NIOThreadPool.singleton` (as many threads as cores) in this process.
public let testThreadPool: NIOThreadPool = {
    let pool = NIOThreadPool(numberOfThreads: 8)
    pool.start()
    return pool
}()
