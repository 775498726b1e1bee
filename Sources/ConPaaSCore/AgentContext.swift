/// The CONTEXT variables of an agent VM. Every cloud writes them into the VM's
/// `context.sh`; `contextualization/agent/init.sh` reads them and starts the agent.
///
/// Required: ``managerIP``, ``managerPort``, ``serviceSecret``, ``nodeID``, ``ipPublic``.
/// The others have defaults in init.sh.
public enum AgentContext {
    /// The manager's address, for `register_node`.
    public static let managerIP = "MANAGER_IP"
    /// The manager's JSON-RPC port.
    public static let managerPort = "MANAGER_PORT"
    /// The service secret agents require on every call (and present to the manager).
    public static let serviceSecret = "SERVICE_SECRET"
    /// The manager's id for the node this VM becomes.
    public static let nodeID = "NODE_ID"
    /// mariadbd's `server_id`, unique in the service (default: derived from the address).
    public static let serverID = "SERVER_ID"
    /// The VM's own address (OpenNebula: `$NIC[IP]`; local cloud: its loopback address).
    public static let ipPublic = "IP_PUBLIC"
    /// The cloud's VM id (OpenNebula: `$VMID`).
    public static let vmID = "VMID"
    /// The agent's port (default 60000).
    public static let agentPort = "AGENT_PORT"
    /// mariadbd's port (default 3306).
    public static let mysqlPort = "MYSQL_PORT"
    /// `yes` for the small-footprint MariaDB settings (default `no`).
    public static let small = "AGENT_SMALL"
    /// A data directory `mariadb-install-db` prepared once (in the VM image, or once per
    /// local-cloud manager): copied at first boot instead of running it (optional).
    public static let dataDirectoryTemplate = "AGENT_DATADIR_TEMPLATE"
    /// `yes` for a restore's new master: at first boot the agent prepares no data directory and
    /// starts no mariadbd; `restore_backup` installs the backup's copy and starts it (default `no`).
    public static let restore = "AGENT_RESTORE"
    /// The agent's data directory (default `/var/lib/conpaassql`).
    public static let dataDirectory = "AGENT_DATA_DIR"
    /// Directory holding the `conpaassql-agent` binary (default: found on PATH).
    public static let binDirectory = "CONPAASSQL_BIN"
    /// Which init script a generic image runs: `agent` or `manager`.
    public static let role = "CONPAASSQL_ROLE"
}
