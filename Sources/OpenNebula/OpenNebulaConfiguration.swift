/// Where the OpenNebula front-end is and what agent VMs look like.
public struct OpenNebulaConfiguration: Sendable {
    /// The XML-RPC endpoint, `http://HOST:2633/RPC2`.
    public var endpoint: String
    /// The OpenNebula user the manager acts as.
    public var user: String
    /// That user's password (or a login token); sent as the `user:password` session.
    public var password: String
    /// The registered image agent VMs boot from (`oneimage create`).
    public var imageID: Int
    /// The virtual network agent VMs get their address from.
    public var networkID: Int
    /// The agent template file; nil means `images/agent.template` (relative to
    /// the working directory).
    public var templateFile: String?
    /// Physical CPUs per agent VM (OpenNebula's CPU, may be fractional).
    public var cpu: Double
    /// Memory per agent VM, in MiB.
    public var memoryMB: Int
    /// Path of `contextualization/agent/init.sh`; its text is sent in each VM's
    /// CONTEXT as `START_SCRIPT_BASE64`.
    public var initScript: String
    /// Time limit of each XML-RPC call.
    public var timeout: Duration

    /// The template file used when ``templateFile`` is nil.
    public static let defaultTemplateFile = "images/agent.template"

    /// A configuration; `templateFile` nil means ``defaultTemplateFile``.
    public init(
        endpoint: String, user: String, password: String, imageID: Int, networkID: Int,
        templateFile: String? = nil, cpu: Double = 1, memoryMB: Int = 1024, initScript: String,
        timeout: Duration = .seconds(30)
    ) {
        self.endpoint = endpoint
        self.user = user
        self.password = password
        self.imageID = imageID
        self.networkID = networkID
        self.templateFile = templateFile
        self.cpu = cpu
        self.memoryMB = memoryMB
        self.initScript = initScript
        self.timeout = timeout
    }
}
