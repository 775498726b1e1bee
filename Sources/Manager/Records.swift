import ConPaaSCore
import Foundation
import GRDB

/// The steps a node goes through, in order, in a job (ARCHITECTURE.md "Provisioning").
enum Stage: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
    case create = "CREATE", confirm = "CONFIRM", bootstrap = "BOOTSTRAP", configure = "CONFIGURE", validate = "VALIDATE"
    /// Removing a node: drop its replication account on the master.
    case drain = "DRAIN"
    /// Removing a node: destroy its VM.
    case destroy = "DESTROY"
    /// A master changing hands (switchover, failover): see ``PromotionPlanner``.
    case detect = "DETECT", fence = "FENCE", elect = "ELECT", catchUp = "CATCH_UP", promote = "PROMOTE", repoint = "REPOINT", heal = "HEAL"

    static let provisioning: [Stage] = [.create, .confirm, .bootstrap, .configure, .validate]
    static let removal: [Stage] = [.drain, .destroy]
    /// Every stage a switchover or failover can be in (``PromotionRecord/plan``).
    static let promotion: [Stage] = [.detect, .fence, .elect, .catchUp, .promote, .repoint, .heal]
}

enum JobKind: String, Codable, Sendable, DatabaseValueConvertible {
    case addNodes = "add_nodes", removeNodes = "remove_nodes", shutdown, failover, switchover, replaceNode = "replace_node"
    case backup, restore
}

enum JobState: String, Codable, Sendable, DatabaseValueConvertible {
    case running = "RUNNING", done = "DONE", failed = "FAILED"
}

enum TaskState: String, Codable, Sendable, DatabaseValueConvertible {
    case pending = "PENDING", running = "RUNNING", done = "DONE", failed = "FAILED", skipped = "SKIPPED"
}

extension NodeRole: DatabaseValueConvertible {}
extension NodeState: DatabaseValueConvertible {}

/// A node as stored: what the API shows plus the worker's bookkeeping.
struct NodeRecord: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "node"

    var id: String
    var number: Int
    var vmID: String?
    var address: String?
    var role: NodeRole
    var state: NodeState
    var serverID: Int
    var reason: String?
    /// The job driving the node now, and its stage in it.
    var jobID: Int64?
    var stage: Stage?
    /// Tries of the current stage (CREATE counts VM creations).
    var attempts: Int
    /// Set before `createVM` is called: after a crash the VM may exist without an id here.
    var createRequested: Bool
    var stageStartedAt: Date?
    /// Last `register_node` or successful health check.
    var lastSeen: Date?
    /// The agent's last reported state (`RUNNING`, ...).
    var agentState: String?
    var createdAt: Date
    /// When the node last became FAILED (a replica failed for long is replaced).
    var failedAt: Date?

    /// Whether this node is the service's master in the records, whatever its
    /// health: a FAILED master stays the master until a failover replaces it;
    /// one that failed before it ever ran (no VM) and one being removed are not.
    var isMasterOfRecord: Bool {
        role == .master && state.isLive && state != .removing && !(state == .failed && vmID == nil)
    }

    /// Whether the worker moved the node on (another stage, attempt or VM
    /// request) since `earlier` was read.
    func movedOn(since earlier: NodeRecord) -> Bool {
        (jobID, stage, stageStartedAt, attempts, createRequested, vmID)
            != (earlier.jobID, earlier.stage, earlier.stageStartedAt, earlier.attempts, earlier.createRequested, earlier.vmID)
    }
}

/// A user's request being carried out: add, remove, shutdown.
struct JobRecord: Codable, Sendable, Hashable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "job"

    var id: Int64?
    var kind: JobKind
    var state: JobState
    var message: String?
    var createdAt: Date
    var finishedAt: Date?

    mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

/// One stage of one node in one job (like a Coopr plan's task).
struct TaskRecord: Codable, Sendable, Hashable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "task"

    var id: Int64?
    var jobID: Int64
    var nodeID: String
    var stage: Stage
    var state: TaskState
    var attempts: Int
    var message: String?
    var startedAt: Date?
    var finishedAt: Date?

    mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

/// Service-wide counters and lifecycle; a single row.
struct ServiceRecord: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "service"

    enum Lifecycle: String, Codable, Sendable, DatabaseValueConvertible {
        case active, stopping, stopped
    }

    var id: Int = 1
    /// Random tag in every VM name of this service, so a shared cloud tells services apart.
    var tag: String
    var lifecycle: Lifecycle
    var nextServerID: Int
    var nextNodeNumber: Int
    var createdAt: Date
    /// Raised at every promotion; agents refuse role changes of an older epoch.
    var epoch: Int = 0
    /// No automatic failover before this time (after one, against flapping).
    var failoverHoldUntil: Date?
    /// The last switchover or failover, as `get_service_info` shows it (JSON).
    var lastFailover: String?
    /// Restores so far: each starts a new binlog archive timeline.
    var timeline: Int = 0
}
