import ConPaaSCore
import Foundation
import Logging
import NIOPosix

/// Boots agent VMs on OpenNebula (3.x to 7.x) over XML-RPC.
///
/// `createVM` is one `one.vm.allocate` and one `one.vm.info` (for the leased
/// address); `listVMs` is exactly one `one.vmpool.info` whatever the number of
/// VMs; `destroyVM` uses the version's action names. Every failure is a
/// ``CloudError`` carrying OpenNebula's own message.
public struct OpenNebulaDriver: CloudDriver {
    /// `"opennebula"`, for logs and metrics.
    public let name = "opennebula"
    /// The front-end's version (3.0 when `one.system.version` does not exist).
    public let version: OpenNebulaVersion
    let client: OpenNebulaClient
    let template: AgentTemplate
    let terminations: RequestedTerminations
    let logger: Logger

    /// Reads the template file and the init script, then asks the front-end
    /// for its version (which also checks the credentials).
    public init(configuration: OpenNebulaConfiguration, logger: Logger, threadPool: NIOThreadPool = .singleton) async throws {
        let templatePath = configuration.templateFile ?? OpenNebulaConfiguration.defaultTemplateFile
        let base: String
        let script: Data
        do {
            base = try String(contentsOfFile: templatePath, encoding: .utf8)
            script = try Data(contentsOf: URL(fileURLWithPath: configuration.initScript))
        } catch {
            throw CloudError(.failed, "cannot read the agent template or init script: \(error.localizedDescription)")
        }
        template = AgentTemplate(
            base: base, imageID: configuration.imageID, networkID: configuration.networkID,
            cpu: configuration.cpu, memoryMB: configuration.memoryMB, initScript: script)
        client = OpenNebulaClient(
            endpoint: configuration.endpoint, user: configuration.user, password: configuration.password,
            timeout: configuration.timeout, threadPool: threadPool)
        terminations = RequestedTerminations(since: Int(Date().timeIntervalSince1970))
        self.logger = logger
        version = try await Self.detectVersion(client, logger: logger)
    }

    private static func detectVersion(_ client: OpenNebulaClient, logger: Logger) async throws(CloudError) -> OpenNebulaVersion {
        do {
            let text = try await client.systemVersion()
            guard let version = OpenNebulaVersion(text) else {
                throw CloudError(.invalidResponse, "one.system.version answered \"\(text)\", not a version")
            }
            logger.info("OpenNebula front-end", metadata: ["opennebula.version": "\(text)"])
            return version
        } catch let error as OpenNebulaError where error.kind == .fault && error.code == -506 {
            logger.info("one.system.version does not exist: assuming OpenNebula 3.x")
            return .withoutVersionMethod
        } catch let error as OpenNebulaError {
            throw error.cloudError
        } catch let error as CloudError {
            throw error
        } catch {
            throw CloudError(.failed, "\(error)")
        }
    }

    /// One `one.vm.allocate` of the agent template for `request`, then one `one.vm.info` for the leased address (a VM whose info cannot be read is still returned, pending, without address).
    public func createVM(_ request: VMRequest) async throws(CloudError) -> VMInfo {
        let text: String
        do {
            text = try template.render(name: request.name, context: request.context)
        } catch {
            throw CloudError(.refused, error.description)
        }
        let id: Int
        do {
            id = try await client.allocateVM(template: text, hold: version.allocateTakesHoldFlag ? false : nil)
        } catch {
            logger.warning("one.vm.allocate failed", metadata: ["rpc.method": "one.vm.allocate", "error": "\(error)"])
            throw error.cloudError
        }
        logger.info("allocated VM", metadata: ["vm.id": "\(id)", "vm.name": "\(request.name)"])
        do {
            let record = try VMDocument.parseVM(try await client.vmInfo(id: id))
            return VMStatusMapping.info(of: record, terminationRequested: false)
        } catch {
            // The VM exists: report it without its address rather than lose it.
            logger.warning("cannot read the new VM", metadata: ["vm.id": "\(id)", "rpc.method": "one.vm.info", "error": "\(error)"])
            return VMInfo(id: String(id), name: request.name, address: nil, status: .pending)
        }
    }

    /// One `one.vmpool.info` (the user's VMs, DONE included so that a VM that
    /// ended without being asked to is reported as failed), filtered by name
    /// here. VMs that ended before this driver started are left out.
    public func listVMs(namePrefix: String) async throws(CloudError) -> [VMInfo] {
        let records: [VMRecord]
        do {
            records = try VMDocument.parsePool(try await client.vmPoolInfo(filter: -3, state: -2))
        } catch {
            logger.warning("one.vmpool.info failed", metadata: ["rpc.method": "one.vmpool.info", "error": "\(error)"])
            throw error.cloudError
        }
        return records.compactMap { record in
            guard record.name.hasPrefix(namePrefix) else { return nil }
            if VMStateNames.state(record.state) == "DONE", record.endTime < terminations.since { return nil }
            return VMStatusMapping.info(of: record, terminationRequested: terminations.contains(record.id))
        }
    }
}

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
