import type { AccountService } from '../accounts/account-service';
import type { AuditService } from '../audit/audit-service';
import type { DeviceService } from '../accounts/device-service';
import type { JobDoc } from './job-service';
import { unitStatus, type ProvisionService, type UnitRecord } from '../couch/provision-service';
import type { CitizenRegistry } from '../registry/registry-service';
import type { SecurityCache } from '../couch/security-cache';
import { rewriteUnit, type DocCopier } from './doc-copier';
import { JobFailed, type JobContext, type JobWorker } from './job-runner';
import { releaseUntouchedUnit } from './unit-lock';

// Merging unit S into its sibling T (docs/architecture.md, "Merge"; docs/decisions/
// 0007-reorganisation-workers.md). Four steps, each idempotent and safe to repeat after a crash:
//   copy      every document of S (but `unit` and design documents) into T, `unitId` rewritten,
//             revisions kept (DocCopier), from a checkpoint the forwarding later continues from;
//   reparent  S's subordinate units, if any (a province merger), now sit under T;
//   accounts  S's database also admits T's role, then S's accounts move to T;
//   mark      S is `merged` into T in the directory and in its `unit` document (what its phones
//             read), the citizen-id registry's claims naming S name T, and forwarding of late
//             changes from S to T opens.

export const MERGE_STEPS = ['copy', 'reparent', 'accounts', 'mark'] as const;

/** The copy step and the forwarding that follows it share this checkpoint. */
export function forwardCheckpointId(job: Pick<JobDoc, '_id'>): string {
	return `forward:${job._id}`;
}

export interface ReorgDeps {
	provision: ProvisionService;
	accounts: AccountService;
	devices: DeviceService;
	audit: AuditService;
	copier: DocCopier;
	security: SecurityCache;
	/** Claims naming a merged unit move to the unit it joined (docs/decisions/0009-…). */
	registry?: CitizenRegistry;
	batchSize: number;
	/** The directory changed: refresh what this process keeps in memory. */
	onDirectoryChange: () => void;
}

export async function unitOrFail(provision: ProvisionService, id: string): Promise<UnitRecord> {
	const unit = await provision.getUnit(id);
	if (!unit) throw new JobFailed('Không tìm thấy đơn vị của thao tác này (có thể đã bị xóa).');
	return unit;
}

export function createMergeWorker(deps: ReorgDeps): JobWorker {
	const { provision, accounts, devices, audit, copier, security } = deps;
	const seedTime = (job: JobDoc) => Date.parse(job.createdAt);

	async function copy(ctx: JobContext): Promise<void> {
		const job = ctx.job;
		const source = await unitOrFail(provision, job.sourceId);
		const target = await unitOrFail(provision, job.targetId);
		if (unitStatus(target) !== 'active') {
			throw new JobFailed(`Đơn vị nhận "${target.name}" không còn hoạt động; không thể hợp nhất.`);
		}
		if (unitStatus(source) === 'merged' && source.mergedInto !== target.id) {
			throw new JobFailed(`"${source.name}" đã được hợp nhất vào đơn vị khác.`);
		}
		const copied = await copier.follow({
			source: source.db,
			target: target.db,
			checkpointId: forwardCheckpointId(job),
			batchSize: deps.batchSize,
			transform: rewriteUnit(target.id),
			onBatch: (count) => ctx.checkpoint(count)
		});
		await ctx.update((current) => ({
			...current,
			data: { ...current.data, copied: (current.data.copied ?? 0) + copied }
		}));
	}

	async function reparent(ctx: JobContext): Promise<void> {
		const job = ctx.job;
		const sourceId = job.sourceId;
		const targetId = job.targetId;
		// Each descendant's database is brought in line before its record changes: a crash in between
		// leaves the record listed under S, and the retried step redoes it.
		let done = 0;
		for (const unit of await provision.listDescendants(sourceId)) {
			const moved: UnitRecord = {
				...unit,
				parentId: unit.parentId === sourceId ? targetId : unit.parentId,
				ancestors: unit.ancestors.map((id) => (id === sourceId ? targetId : id)),
				updatedAt: new Date().toISOString(),
				updatedBy: job.createdBy
			};
			await provision.ensureUnitDatabase(moved);
			security.forget(unit.db);
			await audit.record({
				actor: job.createdBy,
				action: 'unit.reparent',
				target: { type: 'unit', id: unit.id },
				details: { from: sourceId, to: targetId, job: job._id },
				seed: { time: seedTime(job), value: `${job._id}:reparent:${unit.id}` }
			});
			await provision.updateUnit(unit.id, (current) =>
				current.ancestors.includes(sourceId)
					? {
							...current,
							parentId: moved.parentId,
							ancestors: moved.ancestors,
							updatedAt: moved.updatedAt,
							updatedBy: moved.updatedBy
						}
					: undefined
			);
			await ctx.checkpoint(++done);
		}
		deps.onDirectoryChange();
	}

	async function moveAccounts(ctx: JobContext): Promise<void> {
		const job = ctx.job;
		// First S's database admits T's role: the moved accounts will carry it, and their phones must
		// still push what they hold there.
		const source = await provision.updateUnit(job.sourceId, (current) =>
			(current.admits ?? []).includes(job.targetId)
				? undefined
				: { ...current, admits: [...(current.admits ?? []), job.targetId] }
		);
		await provision.ensureUnitDatabase(source);
		security.forget(source.db);
		let moved = 0;
		for (const account of await accounts.listByUnit(job.sourceId)) {
			await audit.record({
				actor: job.createdBy,
				action: 'account.move',
				target: { type: 'account', id: account.login },
				details: { from: job.sourceId, to: job.targetId, job: job._id },
				seed: { time: seedTime(job), value: `${job._id}:account:${account.login}` }
			});
			await accounts.moveToUnit({
				login: account.login,
				from: job.sourceId,
				to: job.targetId,
				by: job.createdBy
			});
			devices.forgetLogin(account.login);
			await ctx.checkpoint(++moved);
		}
	}

	async function mark(ctx: JobContext): Promise<void> {
		const job = ctx.job;
		const at = new Date().toISOString();
		// The citizen-id registry names the surviving unit from now on (its members were copied).
		const target = await unitOrFail(provision, job.targetId);
		await deps.registry?.moveUnit({ fromUnitId: job.sourceId, to: target });
		const source = await provision.updateUnit(job.sourceId, (current) => {
			if (unitStatus(current) === 'merged' && current.lock !== job._id) return undefined;
			const { lock: _lock, ...rest } = current;
			return {
				...rest,
				status: 'merged',
				mergedInto: job.targetId,
				mergedAt: current.mergedAt ?? at,
				updatedAt: at,
				updatedBy: job.createdBy
			};
		});
		// The `unit` document is how the merged unit's phones learn of it.
		await provision.ensureUnitDatabase(source);
		await provision.updateUnit(job.targetId, (current) =>
			(current.mergedFrom ?? []).includes(job.sourceId)
				? undefined
				: { ...current, mergedFrom: [...(current.mergedFrom ?? []), job.sourceId] }
		);
		await ctx.update((current) => ({ ...current, forwarding: current.forwarding ?? 'open' }));
		await audit.record({
			actor: job.createdBy,
			action: 'unit.merge.done',
			target: { type: 'unit', id: job.sourceId },
			details: { into: job.targetId, job: job._id, copied: job.data.copied ?? 0 },
			seed: { time: seedTime(job), value: `${job._id}:done` }
		});
		deps.onDirectoryChange();
	}

	return {
		steps: MERGE_STEPS,
		async run(step, ctx) {
			if (step === 'copy') return copy(ctx);
			if (step === 'reparent') return reparent(ctx);
			if (step === 'accounts') return moveAccounts(ctx);
			if (step === 'mark') return mark(ctx);
			throw new Error(`merge: unknown step ${step}`);
		},
		onFailed: (job) =>
			releaseUntouchedUnit({ provision, job, onDirectoryChange: deps.onDirectoryChange })
	};
}
