import { AppError } from '../http/app-error';
import type { CouchClient } from '../couch/couch-client';
import type { JobDoc } from './job-service';
import { forwardCheckpointId, unitOrFail, type ReorgDeps } from './merge-worker';
import { rewriteUnit, type DocCopier, type RevDoc } from './doc-copier';
import { JobFailed, type JobContext, type JobWorker } from './job-runner';
import { releaseUntouchedUnit } from './unit-lock';
import { planSplit } from './split-plan';

// Splitting unit S (docs/architecture.md, "POST /api/units/:id/split"): a new sibling N receives the
// chosen branches (ADR 0004: they are documents of S), their members and those members' history,
// and the members' own declarations about them with their reviews (ADR 0028).
//   plan         which documents move (split-plan.ts), decided once and kept in the job;
//   create-unit  N, with the id chosen when the job was created;
//   copy         those documents into N, revisions kept, `unitId` rewritten;
//   remove       each is deleted in S (a tombstone marked `splitInto`) once N holds its every leaf;
//   finish       S is free again; forwarding of late changes to moved records opens.

export const SPLIT_STEPS = ['plan', 'create-unit', 'copy', 'remove', 'finish'] as const;

export interface SplitDeps extends ReorgDeps {
	couch: CouchClient;
}

/** The tombstones a split leaves in the old unit: never forwarded (they would delete the moved). */
function isSplitTombstone(doc: RevDoc): boolean {
	return doc._deleted === true && typeof doc.splitInto === 'string';
}

/** Deletes in S every live leaf of these documents (N already holds them). Conflicts: next round. */
async function tombstone(options: {
	couch: CouchClient;
	copier: DocCopier;
	db: string;
	docs: RevDoc[];
	job: JobDoc;
}): Promise<number> {
	const live = options.docs.filter((doc) => !doc._deleted);
	if (live.length === 0) return 0;
	options.copier.touched(options.db);
	const at = new Date().toISOString();
	await options.couch.bulkDocs({
		db: options.db,
		docs: live.map((doc) => ({
			_id: doc._id,
			_rev: doc._rev,
			_deleted: true,
			type: doc.type,
			unitId: doc.unitId,
			updatedAt: at,
			updatedBy: options.job.createdBy,
			splitInto: options.job.targetId
		}))
	});
	return live.length;
}

export function createSplitWorker(deps: SplitDeps): JobWorker {
	const { couch, provision, copier, audit } = deps;
	const seedTime = (job: JobDoc) => Date.parse(job.createdAt);

	async function plan(ctx: JobContext): Promise<void> {
		if (ctx.job.data.movedIds) return;
		const source = await unitOrFail(provision, ctx.job.sourceId);
		// Changes from here on are looked at again by the forwarding: nothing slips between the plan
		// and the removal.
		const info = await couch.json<{ update_seq: string | number }>({
			path: encodeURIComponent(source.db)
		});
		const rows = await couch.allDocs<RevDoc>({ db: source.db, includeDocs: true });
		const { movedIds, joinLinksLeft } = planSplit({
			docs: rows.flatMap((row) => (row.doc ? [row.doc] : [])),
			branchIds: new Set(ctx.job.params.branchIds ?? [])
		});
		await ctx.update((job) => ({
			...job,
			data: { ...job.data, since: info.update_seq, movedIds, joinLinksLeft }
		}));
	}

	async function createUnit(ctx: JobContext): Promise<void> {
		const job = ctx.job;
		let unit = await provision.getUnit(job.targetId);
		if (unit) {
			await provision.ensureUnitDatabase(unit);
		} else {
			try {
				unit = await provision.createUnit({
					id: job.targetId,
					name: job.params.name ?? '',
					kind: job.params.kind ?? 'doan-xa',
					parentId: job.parentId,
					createdBy: job.createdBy
				});
			} catch (error) {
				if (error instanceof AppError && error.status === 409) {
					const existing = await provision.getUnit(job.targetId);
					if (existing) await provision.ensureUnitDatabase(existing);
				} else if (error instanceof AppError) {
					throw new JobFailed(error.reason);
				} else throw error;
			}
		}
		await audit.record({
			actor: job.createdBy,
			action: 'unit.create',
			target: { type: 'unit', id: job.targetId },
			details: { parentId: job.parentId, splitFrom: job.sourceId, job: job._id },
			seed: { time: seedTime(job), value: `${job._id}:create` }
		});
		deps.onDirectoryChange();
	}

	async function copy(ctx: JobContext): Promise<void> {
		const job = ctx.job;
		const source = await unitOrFail(provision, job.sourceId);
		const target = await unitOrFail(provision, job.targetId);
		const ids = job.data.movedIds ?? [];
		let copied = 0;
		for (let i = 0; i < ids.length; i += deps.batchSize) {
			const leaves = await copier.leaves({ db: source.db, ids: ids.slice(i, i + deps.batchSize) });
			copied += await copier.copyLeaves({
				source: source.db,
				target: target.db,
				leaves,
				transform: rewriteUnit(target.id),
				keep: (doc) => !isSplitTombstone(doc)
			});
			await ctx.checkpoint(copied);
		}
		await ctx.update((current) => ({ ...current, data: { ...current.data, copied } }));
	}

	async function remove(ctx: JobContext): Promise<void> {
		const job = ctx.job;
		const source = await unitOrFail(provision, job.sourceId);
		const target = await unitOrFail(provision, job.targetId);
		const ids = job.data.movedIds ?? [];
		for (let i = 0; i < ids.length; i += deps.batchSize) {
			const batch = ids.slice(i, i + deps.batchSize);
			// A phone may push a new revision at any moment: copy what N lacks, delete, look again.
			for (let round = 0; ; round++) {
				const leaves = await copier.leaves({ db: source.db, ids: batch });
				const docs = await copier.fetch({ db: source.db, revs: leaves });
				if (!docs.some((doc) => !doc._deleted)) break;
				if (round >= 5) throw new Error('split: documents keep changing during removal');
				await copier.copyLeaves({
					source: source.db,
					target: target.db,
					leaves,
					transform: rewriteUnit(target.id),
					keep: (doc) => !isSplitTombstone(doc)
				});
				await tombstone({ couch, copier, db: source.db, docs, job });
			}
			await ctx.checkpoint(i + batch.length);
		}
	}

	async function finish(ctx: JobContext): Promise<void> {
		const job = ctx.job;
		await provision.updateUnit(job.sourceId, (current) => {
			if (current.lock !== job._id) return undefined;
			const { lock: _lock, ...rest } = current;
			return { ...rest, updatedAt: new Date().toISOString(), updatedBy: job.createdBy };
		});
		await ctx.update((current) => ({ ...current, forwarding: current.forwarding ?? 'open' }));
		await audit.record({
			actor: job.createdBy,
			action: 'unit.split.done',
			target: { type: 'unit', id: job.sourceId },
			details: {
				into: job.targetId,
				job: job._id,
				moved: job.data.movedIds?.length ?? 0,
				// The moved chi đoàn's links stay with S and stop working: their posters need the new
				// unit's links (ADR 0028).
				joinLinksLeft: job.data.joinLinksLeft ?? []
			},
			seed: { time: seedTime(job), value: `${job._id}:done` }
		});
		deps.onDirectoryChange();
	}

	return {
		steps: SPLIT_STEPS,
		async run(step, ctx) {
			if (step === 'plan') return plan(ctx);
			if (step === 'create-unit') return createUnit(ctx);
			if (step === 'copy') return copy(ctx);
			if (step === 'remove') return remove(ctx);
			if (step === 'finish') return finish(ctx);
			throw new Error(`split: unknown step ${step}`);
		},
		onFailed: (job) =>
			releaseUntouchedUnit({ provision, job, onDirectoryChange: deps.onDirectoryChange })
	};
}

/**
 * One forwarding pass for a finished split: changes in S since the last pass that concern what moved
 * (a document N holds, a new member of a moved branch, history of a moved member, a review of a moved
 * declaration) are copied to N and deleted again in S. Everything else in S stays where it is.
 */
export async function forwardSplit(deps: SplitDeps, job: JobDoc): Promise<number> {
	const source = await unitOrFail(deps.provision, job.sourceId);
	const target = await unitOrFail(deps.provision, job.targetId);
	const branchIds = new Set(job.params.branchIds ?? []);
	const transform = rewriteUnit(target.id);
	return deps.copier.follow({
		source: source.db,
		target: target.db,
		checkpointId: forwardCheckpointId(job),
		since: job.data.since ?? 0,
		batchSize: deps.batchSize,
		transform,
		select: async (leaves) => {
			const docs = await deps.copier.fetch({ db: source.db, revs: leaves });
			const refs = docs.flatMap((doc) => {
				if (doc.type === 'history' && typeof doc.memberId === 'string') return [doc.memberId];
				// A review made offline in S of a declaration that moved: it joins its declaration.
				if (doc.type === 'declaration-review' && typeof doc.declarationId === 'string') {
					return [doc.declarationId];
				}
				return [];
			});
			const known = await deps.copier.known({
				db: target.db,
				ids: [...new Set([...leaves.keys(), ...refs])]
			});
			const belongs = new Set<string>();
			for (const doc of docs) {
				if (
					known.has(doc._id) ||
					(doc.type === 'member' && !doc._deleted && branchIds.has(String(doc.branchId))) ||
					(doc.type === 'branch' && branchIds.has(doc._id))
				) {
					belongs.add(doc._id);
				}
			}
			for (const doc of docs) {
				const memberId = String(doc.memberId);
				if (doc.type === 'history' && (known.has(memberId) || belongs.has(memberId))) {
					belongs.add(doc._id);
				}
				if (doc.type === 'declaration-review' && known.has(String(doc.declarationId))) {
					belongs.add(doc._id);
				}
			}
			if (belongs.size === 0) return 0;
			const chosen = new Map([...leaves].filter(([id]) => belongs.has(id)));
			const copied = await deps.copier.copyLeaves({
				source: source.db,
				target: target.db,
				leaves: chosen,
				transform,
				keep: (doc) => !isSplitTombstone(doc)
			});
			await tombstone({
				couch: deps.couch,
				copier: deps.copier,
				db: source.db,
				docs: docs.filter((doc) => belongs.has(doc._id)),
				job
			});
			return copied;
		}
	});
}
