import type { AuditService, AuditTarget } from '../audit/audit-service';

// The public declaration API in the audit trail (docs/decisions/0019-self-declarations.md, "Audit"):
// - every write — a declaration submitted, corrected, withdrawn — is one entry in the unit's scope,
//   naming the declaration by id and its revision, as other entries name members: never a field of
//   what she declared, never her receipt code. Each write's entry has an id derived from the
//   declaration and its revision, so a resend after a lost answer records it once.
// - refusals are counted, not logged one by one: anyone on the Internet can send them, and one entry
//   each would let a flood fill the trail. Counts by error code per unit (when the refusal came after
//   a real link or receipt named one; a unit id merely typed in a link is not believed) and for the
//   API as a whole otherwise, written at most once per window per scope.

/** Who acts through the public API: a member with no account. */
export const PUBLIC_ACTOR = 'khai-cong-khai';

/** The scope of refusals no real unit could be named for. */
const PUBLIC_TARGET: AuditTarget = { type: 'public', id: 'declarations' };

export type DeclarationWrite =
	| { kind: 'submit'; declarationId: string; joinLinkId: string; branchId?: string }
	| { kind: 'correct'; declarationId: string; revision: number }
	| { kind: 'withdraw'; declarationId: string; revision: number };

export class DeclarationAudit {
	readonly #audit: AuditService;
	readonly #windowMs: number;
	readonly #now: () => number;
	/** `<unit id or "">` → error code → count, since `#since`. */
	#counts = new Map<string, Map<string, number>>();
	#since = 0;
	#timer: ReturnType<typeof setTimeout> | undefined;
	#flushing: Promise<void> = Promise.resolve();

	constructor(options: { audit: AuditService; refusalWindowMs: number; now?: () => number }) {
		this.#audit = options.audit;
		this.#windowMs = options.refusalWindowMs;
		this.#now = options.now ?? Date.now;
	}

	/** A write made on a member's behalf in `unitId`'s database. */
	async wrote(options: { unitId: string; write: DeclarationWrite; at: number }): Promise<void> {
		const { write } = options;
		const revision = write.kind === 'submit' ? 1 : write.revision;
		await this.#audit.record({
			actor: PUBLIC_ACTOR,
			action: `declaration.${write.kind}` as const,
			target: { type: 'unit', id: options.unitId },
			details: {
				declarationId: write.declarationId,
				revision,
				...(write.kind === 'submit'
					? {
							joinLinkId: write.joinLinkId,
							...(write.branchId ? { branchId: write.branchId } : {})
						}
					: {})
			},
			seed: { time: options.at, value: `${write.declarationId}:${write.kind}:${revision}` }
		});
	}

	/** A refusal: its error code, and the unit when a real link or receipt named one. */
	refused(options: { error: string; unitId?: string }): void {
		const key = options.unitId ?? '';
		if (this.#counts.size === 0) {
			this.#since = this.#now();
			this.#timer = setTimeout(() => void this.flush(), this.#windowMs);
			// A window's counts must not keep the process alive, nor a test waiting.
			this.#timer.unref?.();
		}
		const codes = this.#counts.get(key) ?? new Map<string, number>();
		codes.set(options.error, (codes.get(options.error) ?? 0) + 1);
		this.#counts.set(key, codes);
	}

	/** Writes the counts so far, one entry per scope, and starts a new window. */
	flush(): Promise<void> {
		if (this.#timer) clearTimeout(this.#timer);
		this.#timer = undefined;
		const counts = this.#counts;
		const from = new Date(this.#since).toISOString();
		const to = new Date(this.#now()).toISOString();
		this.#counts = new Map();
		this.#flushing = this.#flushing.then(async () => {
			for (const [unitId, codes] of counts) {
				await this.#audit
					.record({
						actor: PUBLIC_ACTOR,
						action: 'declaration.refused',
						target: unitId ? { type: 'unit', id: unitId } : PUBLIC_TARGET,
						details: { from, to, refused: Object.fromEntries(codes) }
					})
					// The store may be gone (the server stopping): counts are a record, not a brake.
					.catch(() => undefined);
			}
		});
		return this.#flushing;
	}
}
