import { randomBytes } from 'node:crypto';
import {
	planOrgImport,
	type IssuedAccount,
	type OrgImportPlan,
	type OrgImportView,
	type OrgKnownUnit
} from '../../src/lib/domain/spreadsheets/org-import-plan';
import type { OrgSheetRow } from '../../src/lib/domain/spreadsheets/org-import-sheet';
import { isManagerRole } from '../../src/lib/domain/org/roles';
import { temporaryPassword, type AccountService } from '../accounts/account-service';
import type { AuditService } from '../audit/audit-service';
import { CouchError, type CouchClient } from '../couch/couch-client';
import { newUnitId } from '../couch/db-names';
import { unitStatus, type ProvisionService, type UnitRecord } from '../couch/provision-service';
import { AppError } from '../http/app-error';
import { parse } from '../http/validation';
import { ulid } from '../ulid';
import type { DirectoryIndex } from './directory-index';
import {
	IMPORT_ID_PATTERN,
	journalId,
	rollBackImport,
	type OrgImportJournal
} from './org-import-journal';
import { forbidden, mayFoundUnder, type Actor } from './org-access';
import { OrgImportLock } from './org-import-lock';
import { InvalidRows, OrgImportBodySchema, viewOf, type OrgImportAnswer } from './org-import-api';

// Units and their secretaries' accounts from a sheet (docs/spreadsheets.md, "The organisation in
// bulk"). The phone's preview is never trusted: the rows are planned again here against the tree
// and the accounts as they are now. A commit writes a journal first (org-import-journal.ts), then
// founds the units parents first, each with its database, `_security`, design document and secretary
// account; a failure anywhere rolls everything back, and an import whose process died is rolled back
// once its lease runs out. The temporary passwords exist in the answer to the commit only: the
// accounts store their hashes, and neither the journal, the audit nor a log ever holds them.

const NOT_IMPORTER =
	'Chỉ bí thư hoặc quản trị viên của đơn vị được nhập đơn vị trực thuộc cho đơn vị mình.';

/** Tests only: act before the n-th unit is founded, or stop there as if the process died. */
export interface OrgImportHooks {
	beforeUnit?(info: {
		importId: string;
		index: number;
		unitId: string;
		login?: string;
	}): Promise<'crash' | void> | 'crash' | void;
}

class SimulatedCrash extends Error {}

type JournalSave = (change: (current: OrgImportJournal) => OrgImportJournal) => Promise<void>;

/** Another process took the import over (our lease ran out): stop without writing. */
class LeaseLost extends Error {}

export class OrgImportService {
	readonly #couch: CouchClient;
	readonly #provision: ProvisionService;
	readonly #accounts: AccountService;
	readonly #audit: AuditService;
	readonly #directory: DirectoryIndex;
	readonly #accountsDb: string;
	readonly #onDirectoryChange: () => void;
	readonly #leaseMs: number;
	readonly #hooks: OrgImportHooks;
	readonly #now: () => Date;
	readonly #owner = `orgimport-${randomBytes(6).toString('hex')}`;
	readonly #running = new Set<Promise<void>>();
	readonly #lock: OrgImportLock;
	#timer: NodeJS.Timeout | undefined;

	constructor(options: {
		couch: CouchClient;
		provision: ProvisionService;
		accounts: AccountService;
		audit: AuditService;
		directory: DirectoryIndex;
		accountsDb: string;
		onDirectoryChange: () => void;
		leaseMs?: number;
		hooks?: OrgImportHooks;
		now?: () => Date;
	}) {
		this.#couch = options.couch;
		this.#provision = options.provision;
		this.#accounts = options.accounts;
		this.#audit = options.audit;
		this.#directory = options.directory;
		this.#accountsDb = options.accountsDb;
		this.#onDirectoryChange = options.onDirectoryChange;
		this.#leaseMs = options.leaseMs ?? 60_000;
		this.#hooks = options.hooks ?? {};
		this.#now = options.now ?? (() => new Date());
		this.#lock = new OrgImportLock({
			couch: this.#couch,
			db: this.#db,
			leaseMs: this.#leaseMs,
			now: this.#now
		});
	}

	get #db(): string {
		return this.#provision.names.directory;
	}

	/** Rolls back interrupted imports now and then (their process died); stops with `stop`. */
	start(): void {
		this.#timer = setInterval(() => void this.recoverInterrupted().catch(() => {}), this.#leaseMs);
		this.#timer.unref();
	}

	async stop(): Promise<void> {
		clearInterval(this.#timer);
		await Promise.allSettled([...this.#running]);
	}

	async #importer(actor: Actor, rootId: string): Promise<UnitRecord> {
		const root = await this.#provision.getUnit(rootId);
		if (!root) {
			throw new AppError({
				status: 404,
				error: 'unit_not_found',
				reason: 'Không tìm thấy đơn vị.'
			});
		}
		if (!isManagerRole(actor.role) || !mayFoundUnder(actor, root.id)) throw forbidden(NOT_IMPORTER);
		if (unitStatus(root) !== 'active') {
			throw new AppError({
				status: 409,
				error: 'unit_not_active',
				reason: 'Đơn vị đã giải thể hoặc đã hợp nhất: không nhập thêm đơn vị.'
			});
		}
		return root;
	}

	async #plan(
		root: UnitRecord,
		rows: { line: number; row: OrgSheetRow }[]
	): Promise<OrgImportPlan> {
		const subtree: OrgKnownUnit[] = (await this.#provision.listDescendants(root.id))
			.filter((unit) => unitStatus(unit) === 'active')
			.map((unit) => ({ id: unit.id, name: unit.name, kind: unit.kind, parentId: unit.parentId }));
		const logins = [
			...new Set(rows.map(({ row }) => row.login.trim().toLowerCase()).filter(Boolean))
		];
		const taken = new Set<string>();
		for (let at = 0; at < logins.length; at += 200) {
			const chunk = logins.slice(at, at + 200);
			const found = await this.#couch.allDocs({
				db: this.#accountsDb,
				keys: chunk.map((login) => `account:${login}`)
			});
			found.forEach((row, index) => {
				if (row.value && !row.value.deleted) taken.add(chunk[index] ?? '');
			});
		}
		return planOrgImport({
			rows,
			root: { id: root.id, name: root.name, kind: root.kind },
			subtree,
			takenLogins: taken
		});
	}

	/** POST /api/units/:id/import: the plan (`dryRun`), or the import started and its passwords. */
	async submit(actor: Actor, rootId: string, body: unknown): Promise<OrgImportAnswer> {
		const root = await this.#importer(actor, rootId);
		const input = parse(OrgImportBodySchema, body, 'Dữ liệu gửi lên không hợp lệ.');
		if (input.dryRun) return { dryRun: true, plan: await this.#plan(root, input.rows) };

		await this.recoverInterrupted();
		const importId = ulid(this.#now().getTime());
		await this.#lock.take(root.id, importId);
		let started = false;
		try {
			const plan = await this.#plan(root, input.rows);
			if (plan.counts.invalid > 0) {
				throw new InvalidRows(plan);
			}
			if (plan.counts.new === 0) {
				throw new AppError({
					status: 422,
					error: 'nothing_to_import',
					reason: 'Bảng không có đơn vị mới nào để tạo.'
				});
			}
			const ids = new Map(plan.order.map((index) => [index, newUnitId()]));
			const accounts: IssuedAccount[] = [];
			const units = plan.order.map((index) => {
				const row = plan.rows[index];
				const parent = row?.parent;
				if (!row || !row.kind || !parent) throw new Error('planned row without kind or parent');
				const parentId = 'root' in parent ? root.id : ids.get(parent.row);
				if (!parentId) throw new Error('planned row before its parent');
				if (row.account) {
					accounts.push({
						line: row.line,
						unitName: row.name,
						fullName: row.account.fullName,
						login: row.account.login,
						...(row.account.phone ? { phone: row.account.phone } : {}),
						temporaryPassword: temporaryPassword()
					});
				}
				return {
					id: ids.get(index) ?? '',
					name: row.name,
					kind: row.kind,
					parentId,
					...(row.account ? { login: row.account.login, fullName: row.account.fullName } : {})
				};
			});
			const at = this.#now().toISOString();
			const journal: OrgImportJournal = {
				_id: journalId(importId),
				type: 'org-import',
				importId,
				rootId: root.id,
				state: 'running',
				createdAt: at,
				createdBy: actor.login,
				updatedAt: at,
				units,
				done: 0,
				lease: this.#lease()
			};
			const { rev } = await this.#couch.putDoc({ db: this.#db, doc: journal });
			const issued = new Map(accounts.map((account) => [account.login, account]));
			started = true;
			const run = this.#carry({ ...journal, _rev: rev }, issued, actor).finally(() =>
				this.#running.delete(run)
			);
			this.#running.add(run);
			return { dryRun: false, plan, import: viewOf(journal), accounts };
		} finally {
			if (!started) await this.#lock.release(root.id);
		}
	}

	/** GET /api/units/:id/import/:importId: how far it went (the passwords are not in it). */
	async view(actor: Actor, rootId: string, importId: string): Promise<OrgImportView> {
		await this.#importer(actor, rootId);
		const journal = IMPORT_ID_PATTERN.test(importId)
			? await this.#couch.getDoc<OrgImportJournal>({ db: this.#db, id: journalId(importId) })
			: undefined;
		if (!journal || journal.rootId !== rootId) {
			throw new AppError({
				status: 404,
				error: 'import_not_found',
				reason: 'Không tìm thấy lần nhập này.'
			});
		}
		if (journal.state === 'running' && this.#expired(journal)) {
			await this.recoverInterrupted();
			const after = await this.#couch.getDoc<OrgImportJournal>({ db: this.#db, id: journal._id });
			return viewOf(after ?? journal);
		}
		return viewOf(journal);
	}

	/**
	 * GET /api/units/:id/org-sheet: the tree beneath the unit as the import's sheet (id, name, kind,
	 * superior, secretary's name, login and phone), so rows added to an export import again. Never a
	 * password.
	 */
	async sheet(actor: Actor, rootId: string): Promise<OrgSheetRow[]> {
		const root = await this.#importer(actor, rootId);
		const units = (await this.#provision.listDescendants(root.id)).filter(
			(unit) => unitStatus(unit) === 'active'
		);
		const names = new Map(units.map((unit) => [unit.id, unit.name]));
		const depth = (unit: UnitRecord) => unit.ancestors.length;
		units.sort((a, b) => depth(a) - depth(b) || a.name.localeCompare(b.name, 'vi'));
		const rows: OrgSheetRow[] = [];
		for (const unit of units) {
			const secretary = (await this.#accounts.listByUnit(unit.id)).find(
				(account) => account.role === 'secretary' && !account.disabled
			);
			rows.push({
				unitId: unit.id,
				name: unit.name,
				kind: unit.kind,
				parent: unit.parentId === root.id ? '' : (names.get(unit.parentId ?? '') ?? ''),
				fullName: secretary?.fullName ?? '',
				login: secretary?.login ?? '',
				phone: secretary?.phone ?? ''
			});
		}
		return rows;
	}

	/** Rolls back every import whose process died (lease run out): nothing half-made stays. */
	async recoverInterrupted(): Promise<number> {
		const rows = await this.#couch.allDocs<OrgImportJournal>({
			db: this.#db,
			startkey: 'orgimport:',
			endkey: 'orgimport:\ufff0',
			includeDocs: true
		});
		let recovered = 0;
		for (const row of rows) {
			const journal = row.doc;
			if (!journal || journal.state !== 'running' || !this.#expired(journal)) continue;
			const taken = await this.#write(journal, (current) =>
				current.state === 'running' && this.#expired(current)
					? { ...current, lease: this.#lease() }
					: undefined
			);
			if (!taken) continue;
			await this.#fail({
				journal: taken,
				reason: 'Máy chủ dừng giữa chừng; mọi đơn vị và tài khoản đã tạo đã được gỡ bỏ.',
				save: async (change) => void (await this.#write(taken, change))
			});
			recovered++;
		}
		return recovered;
	}

	#lease(): { owner: string; until: string } {
		return {
			owner: this.#owner,
			until: new Date(this.#now().getTime() + this.#leaseMs).toISOString()
		};
	}

	#expired(journal: OrgImportJournal): boolean {
		return !journal.lease || Date.parse(journal.lease.until) <= this.#now().getTime();
	}

	/** A revision-checked change of the journal; undefined when someone else changed it first. */
	async #write(
		journal: OrgImportJournal,
		change: (journal: OrgImportJournal) => OrgImportJournal | undefined
	): Promise<OrgImportJournal | undefined> {
		const next = change(journal);
		if (!next) return undefined;
		const doc = { ...next, updatedAt: this.#now().toISOString() };
		try {
			const { rev } = await this.#couch.putDoc({ db: this.#db, doc });
			return { ...doc, _rev: rev };
		} catch (error) {
			if (error instanceof CouchError && error.status === 409) return undefined;
			throw error;
		}
	}

	/**
	 * Founds what the journal names. `issued` (per login: its temporary password and the sheet's
	 * phone) lives in this process only: an import whose process died is rolled back, never resumed,
	 * so the journal needs neither.
	 */
	async #carry(
		start: OrgImportJournal,
		issued: ReadonlyMap<string, Pick<IssuedAccount, 'temporaryPassword' | 'phone'>>,
		actor: Actor
	): Promise<void> {
		// Journal writes go one after the other (progress and the heartbeat that keeps the lease
		// alive while a slow unit is founded); a refused write means another process took the import
		// over to roll it back: this one stops at once and writes nothing more.
		let journal = start;
		let lost = false;
		let chain: Promise<unknown> = Promise.resolve();
		const save = (change: (current: OrgImportJournal) => OrgImportJournal) => {
			const next = chain.then(async () => {
				if (lost) return;
				const written = await this.#write(journal, change);
				if (written) journal = written;
				else lost = true;
			});
			chain = next.catch(() => {});
			return next;
		};
		const heartbeat = setInterval(
			() => void save((current) => ({ ...current, lease: this.#lease() })).catch(() => {}),
			Math.max(50, Math.floor(this.#leaseMs / 3))
		);
		try {
			for (let index = start.done; index < start.units.length; index++) {
				const unit = start.units[index];
				if (!unit) break;
				const verdict = await this.#hooks.beforeUnit?.({
					importId: start.importId,
					index,
					unitId: unit.id,
					...(unit.login ? { login: unit.login } : {})
				});
				if (verdict === 'crash') throw new SimulatedCrash();
				if (lost) throw new LeaseLost();
				await this.#provision.createUnit({
					id: unit.id,
					name: unit.name,
					kind: unit.kind as UnitRecord['kind'],
					parentId: unit.parentId,
					createdBy: actor.login
				});
				if (unit.login) {
					const account = issued.get(unit.login);
					await this.#accounts.createAccount({
						login: unit.login,
						password: account?.temporaryPassword ?? temporaryPassword(),
						...(account?.phone ? { phone: account.phone } : {}),
						fullName: unit.fullName ?? unit.login,
						unitId: unit.id,
						role: 'secretary',
						mustChangePassword: true,
						createdBy: actor.login
					});
				}
				await save((current) => ({ ...current, done: index + 1, lease: this.#lease() }));
				if (lost) throw new LeaseLost();
			}
			await chain;
			await this.#finish(journal, actor, save);
		} catch (error) {
			if (error instanceof SimulatedCrash || error instanceof LeaseLost) {
				clearInterval(heartbeat);
				return;
			}
			await chain;
			const failed = journal.units[journal.done];
			const reason =
				error instanceof AppError
					? `${failed ? `Đơn vị "${failed.name}": ` : ''}${error.reason}`
					: 'Máy chủ gặp lỗi khi tạo đơn vị.';
			// The heartbeat goes on while the rollback runs: nobody else starts a second one meanwhile.
			await this.#fail({
				journal,
				reason: `${reason} Mọi đơn vị và tài khoản đã tạo đã được gỡ bỏ.`,
				actor,
				save
			});
		} finally {
			clearInterval(heartbeat);
		}
	}

	async #finish(journal: OrgImportJournal, actor: Actor, save: JournalSave): Promise<void> {
		for (const unit of journal.units) {
			await this.#audit.record({
				actor: actor.login,
				action: 'unit.create',
				target: { type: 'unit', id: unit.id },
				details: {
					parentId: unit.parentId,
					name: unit.name,
					kind: unit.kind,
					import: journal.importId
				}
			});
			if (unit.login) {
				await this.#audit.record({
					actor: actor.login,
					action: 'account.create',
					target: { type: 'account', id: unit.login },
					details: { unitId: unit.id, role: 'secretary', import: journal.importId }
				});
			}
		}
		await this.#audit.record({
			actor: actor.login,
			action: 'unit.import',
			target: { type: 'unit', id: journal.rootId },
			details: {
				import: journal.importId,
				state: 'done',
				units: journal.units.length,
				accounts: journal.units.filter((unit) => unit.login).length
			}
		});
		await save((current) => ({
			...current,
			state: 'done',
			finishedAt: this.#now().toISOString()
		}));
		await this.#lock.release(journal.rootId);
		await this.#directory.refresh();
		this.#onDirectoryChange();
	}

	async #fail(options: {
		journal: OrgImportJournal;
		reason: string;
		actor?: Actor;
		save: JournalSave;
	}): Promise<void> {
		const { journal, reason, actor, save } = options;
		await rollBackImport({
			couch: this.#couch,
			directoryDb: this.#db,
			accountsDb: this.#accountsDb,
			journal
		});
		await save((current) => ({
			...current,
			state: 'failed',
			error: reason,
			finishedAt: this.#now().toISOString()
		}));
		await this.#audit.record({
			actor: actor?.login ?? journal.createdBy,
			action: 'unit.import',
			target: { type: 'unit', id: journal.rootId },
			details: { import: journal.importId, state: 'rolled-back', units: journal.units.length }
		});
		await this.#lock.release(journal.rootId);
		await this.#directory.refresh();
		this.#onDirectoryChange();
	}
}
