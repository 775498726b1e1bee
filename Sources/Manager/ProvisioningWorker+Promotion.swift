import ConPaaSCore
import Foundation
import JSONRPC

/// A switchover or failover that cannot go on, with the reason.
struct PromotionFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension ProvisioningWorker {
    /// Runs a switchover or failover from its recorded stage to its end. Every
    /// stage may run again after a manager crash: each one is idempotent.
    func drive(_ start: PromotionRecord) async {
        var promotion = start
        while let stage = promotion.stage {
            do {
                promotion = try await perform(stage, promotion)
            } catch {
                // A manager shutting down stops here; the promotion resumes after the restart.
                guard !Task.isCancelled else { return }
                await fail(promotion, reason: "\(error)")
                return
            }
        }
        let unavailable = promotion.writeUnavailableMilliseconds.map { Duration.milliseconds($0) }
        metrics.promotionFinished(kind: promotion.kind.rawValue, automatic: promotion.automatic, outcome: "done", writeUnavailable: unavailable)
        wake()
    }

    private func perform(_ stage: Stage, _ promotion: PromotionRecord) async throws -> PromotionRecord {
        let snapshot = store.snapshot()
        guard let old = try await store.node(promotion.fromNode) else { throw PromotionFailure("the old master \(promotion.fromNode) is not recorded") }
        logger.info("\(promotion.kind.rawValue): \(stage.rawValue)", metadata: ["job.id": "\(promotion.jobID)", "node.id": "\(old.id)"])
        switch stage {
        case .detect:
            return try await store.advancePromotion(promotion, message: promotion.reason)
        case .fence:
            return try await fence(old, promotion)
        case .elect:
            return try await elect(promotion, snapshot: snapshot)
        case .catchUp:
            let (_, address) = try newMaster(promotion, snapshot)
            let params: [String: JSONValue] = promotion.kind == .failover
                ? ["stop_io": true, "timeout": 60] : ["gtid": .string(promotion.oldMasterGTID ?? ""), "timeout": 30]
            let answer = try await agents.client(for: address, timeout: .seconds(90))
                .call("catch_up", params: params.filter { $0.value != .string("") })
            let reached = answer["gtid_current_pos"]?.stringValue ?? ""
            return try await store.advancePromotion(promotion, message: "applied up to \(reached)") { $0.promotedGTID = reached }
        case .promote:
            return try await promote(promotion, snapshot: snapshot)
        case .repoint:
            return try await repoint(old, promotion, snapshot: snapshot)
        case .heal:
            return try await heal(old, promotion)
        default:
            throw PromotionFailure("\(stage.rawValue) is not a stage of a \(promotion.kind.rawValue)")
        }
    }

    /// No fence, no promotion: through the agent when it answers, else through the cloud, confirmed by its VM list.
    private func fence(_ old: NodeRecord, _ start: PromotionRecord) async throws -> PromotionRecord {
        let (promotion, epoch) = try await store.raiseEpoch(start)
        var position: String?
        var how = "through its agent"
        do {
            guard let address = old.address else { throw PromotionFailure("\(old.id) has no address") }
            // A VM the cloud reports failed or gone has no agent to ask (and waiting for one costs the connect timeout).
            if promotion.kind == .failover, try await !vmRuns(of: old) { throw PromotionFailure("its VM is not running") }
            let answer = try await agents.client(for: address, timeout: .seconds(3))
                .call("fence", params: ["epoch": .int(epoch), "stop_server": .bool(promotion.kind == .failover)])
            position = answer["gtid_binlog_pos"]?.stringValue
        } catch {
            guard promotion.kind == .failover else { throw PromotionFailure("cannot fence \(old.id) through its agent: \(error)") }
            logger.warning("fencing through the cloud", metadata: ["node.id": "\(old.id)", "agent": "\(error)"])
            try await fenceThroughCloud(old)
            how = "through the cloud (its VM destroyed)"
        }
        let reached = position.flatMap { $0.isEmpty ? nil : $0 }
        let fenced = try await store.advancePromotion(promotion, message: "fenced \(how), epoch \(epoch)") { record in
            record.fencedAt = Date()
            if let reached { record.oldMasterGTID = reached }
        }
        await endpoints?.apply()  // the writer leaves the old master, its sessions cut
        return fenced
    }

    /// Whether the cloud lists the node's VM as running (when the cloud cannot be asked: assume so).
    private func vmRuns(of node: NodeRecord) async throws -> Bool {
        let name = context.vmName(for: node.id)
        guard let vms = try? await cloud.listVMs(namePrefix: name) else { return true }
        return vms.contains { $0.name == name && $0.status == .running }
    }

    private func fenceThroughCloud(_ old: NodeRecord) async throws {
        let name = context.vmName(for: old.id)
        let deadline = ContinuousClock.now + failover.fenceTimeout
        var destroyed = Set<String>()
        while true {
            let live = try await cloud.listVMs(namePrefix: name).filter { $0.name == name && $0.status != .terminated }
            if live.isEmpty { return }
            guard ContinuousClock.now < deadline else {
                let states = live.map { "\($0.id) \($0.status.rawValue)" }.joined(separator: ", ")
                throw PromotionFailure("could not fence \(old.id): the cloud still lists its VM (\(states)) after \(failover.fenceTimeout); no promotion")
            }
            for vm in live where destroyed.insert(vm.id).inserted { try await cloud.fenceVM(id: vm.id) }
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    private func elect(_ promotion: PromotionRecord, snapshot: ServiceSnapshot) async throws -> PromotionRecord {
        let replicas = snapshot.liveNodes.filter { $0.id != promotion.fromNode && $0.state == .running && $0.stage == nil && $0.address != nil }
        let candidates = await withTaskGroup(of: PromotionPlanner.Candidate.self) { group in
            for replica in replicas {
                group.addTask { [agents] in
                    PromotionPlanner.Candidate(node: replica.id, status: try? await agents.status(at: replica.address!, timeout: .seconds(3)))
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }.sorted { $0.node < $1.node }
        switch promotionPlanner.elect(among: candidates, requested: promotion.toNode, maxLag: failover.switchoverMaxLag) {
        case .success(let node):
            return try await store.advancePromotion(promotion, message: "\(node) takes over") { $0.toNode = node }
        case .failure(let failure):
            throw PromotionFailure(failure.description)
        }
    }

    private func promote(_ promotion: PromotionRecord, snapshot: ServiceSnapshot) async throws -> PromotionRecord {
        let (node, address) = try newMaster(promotion, snapshot)
        // Semi-sync waits for a replica's acknowledgement, and none follows the new master before
        // REPOINT: it is switched on there, once they do (else the first commits would wait its timeout).
        _ = try await agents.client(for: address, timeout: .seconds(30))
            .call("set_up_replica_master", params: ["epoch": .int(promotion.epoch ?? snapshot.service.epoch), "semi_sync": false])
        let reached = GTIDPosition(promotion.promotedGTID ?? "") ?? GTIDPosition("")!
        let lost = (GTIDPosition(promotion.oldMasterGTID ?? "") ?? GTIDPosition("")!).missing(from: reached)
        let hold = promotion.automatic ? Date().addingTimeInterval(failover.hold.inSeconds) : nil
        let promoted = try await store.recordPromotion(promotion, promoted: node.id, reachedGTID: reached.description, lost: lost, holdUntil: hold)
        await endpoints?.apply()  // the writer reaches the new master
        logger.notice("new master", metadata: [
            "node.id": "\(node.id)", "epoch": "\(promoted.epoch ?? 0)", "write_unavailable_ms": "\(promoted.writeUnavailableMilliseconds ?? -1)",
        ])
        return promoted
    }

    private func repoint(_ old: NodeRecord, _ promotion: PromotionRecord, snapshot: ServiceSnapshot) async throws -> PromotionRecord {
        let (node, address) = try newMaster(promotion, snapshot)
        let epoch = promotion.epoch ?? snapshot.service.epoch
        var followers = snapshot.liveNodes.filter { $0.id != node.id && $0.id != old.id && $0.state == .running && $0.stage == nil }
        if promotion.afterwards == .demote { followers.append(old) }
        // All at once: each may take its agent's time (up to a minute), and semi-sync waits for them.
        var problems = await withTaskGroup(of: String?.self) { group in
            for follower in followers {
                guard let followerAddress = follower.address else { continue }
                group.addTask {
                    do {
                        try await self.agents.followMaster(at: followerAddress, masterHost: address, epoch: epoch, demote: follower.id == old.id)
                        return nil
                    } catch {
                        self.logger.error("could not repoint a replica", metadata: ["node.id": "\(follower.id)", "error": "\(error)"])
                        return "\(follower.id): \(error)"
                    }
                }
            }
            var failed: [String] = []
            for await problem in group { if let problem { failed.append(problem) } }
            return failed
        }
        if followers.count > problems.count {
            do {
                _ = try await agents.client(for: address, timeout: .seconds(30)).call("set_up_replica_master", params: ["epoch": .int(epoch), "semi_sync": true])
            } catch {
                problems.append("semi-sync stays off on \(node.id): \(error)")
            }
        }
        let names = followers.map(\.id).joined(separator: ", ").ifEmpty("no replica")
        let message = problems.isEmpty ? "\(names) follow\(followers.count == 1 ? "s" : "") \(node.id)" : problems.joined(separator: "; ")
        return try await store.advancePromotion(promotion, message: message)
    }

    private func heal(_ old: NodeRecord, _ promotion: PromotionRecord) async throws -> PromotionRecord {
        switch (promotion.kind, promotion.afterwards) {
        case (_, .demote):
            return try await store.advancePromotion(promotion, message: "\(old.id) replicates from the new master")
        case (.failover, let afterwards):
            if let vmID = old.vmID { try await cloud.destroyVM(id: vmID) }
            return try await store.heal(after: promotion, terminateOld: true, removeOld: false, addReplacement: afterwards == .replace)
        case (.switchover, let afterwards):
            return try await store.heal(after: promotion, terminateOld: false, removeOld: true, addReplacement: afterwards == .replace)
        }
    }

    /// A failed promotion: a switchover that had fenced its master gives it its writes back.
    private func fail(_ promotion: PromotionRecord, reason: String) async {
        logger.error("\(promotion.kind.rawValue) failed: \(reason)", metadata: ["job.id": "\(promotion.jobID)"])
        if promotion.kind == .switchover, promotion.promotedAt == nil, promotion.fencedAt != nil, let epoch = promotion.epoch,
            let old = try? await store.node(promotion.fromNode), let address = old.address
        {
            do {
                _ = try await agents.client(for: address, timeout: .seconds(30))
                    .call("set_up_replica_master", params: ["epoch": .int(epoch), "semi_sync": true])
                logger.notice("the old master takes writes again", metadata: ["node.id": "\(old.id)"])
            } catch {
                logger.error("could not give the old master its writes back: \(error)")
            }
        }
        let hold = promotion.automatic ? Date().addingTimeInterval(min(failover.hold.inSeconds, 30)) : nil
        try? await store.failPromotion(promotion, reason: reason, holdUntil: hold)
        metrics.promotionFinished(kind: promotion.kind.rawValue, automatic: promotion.automatic, outcome: "failed", writeUnavailable: nil)
        wake()
    }

    private func newMaster(_ promotion: PromotionRecord, _ snapshot: ServiceSnapshot) throws -> (NodeRecord, String) {
        guard let id = promotion.toNode, let node = snapshot.node(id), let address = node.address else {
            throw PromotionFailure("no replica was chosen to take over")
        }
        return (node, address)
    }
}

extension String {
    /// The string, or `fallback` when it is empty.
    func ifEmpty(_ fallback: String) -> String { isEmpty ? fallback : self }
}
