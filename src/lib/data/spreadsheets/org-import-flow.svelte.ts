import type {
	IssuedAccount,
	OrgImportPlan,
	OrgImportView
} from '$lib/domain/spreadsheets/org-import-plan';
import type { OrgSheetRow } from '$lib/domain/spreadsheets/org-import-sheet';
import { ApiError } from '$lib/data/online/api-client';
import {
	getOrgImport,
	getOrgSheet,
	previewOrgImport,
	startOrgImport,
	type OrgRows
} from './org-import-api';
import { OrgSheetError, orgSheetXlsx, orgTemplateXlsx, readOrgSheet } from './org-import-file';
import { downloadFile } from './download-file';

// The organisation import's screen as state (docs/spreadsheets.md, "The organisation in bulk"):
// choose a file → the server's preview, where an invalid row is fixed in place or left out (the
// server plans the changed rows again each time) → confirm → progress → the list of temporary
// passwords, shown once. The passwords live in this object only, and go with it when the page is
// left.

export type OrgImportStep = 'choose' | 'reading' | 'preview' | 'running' | 'done' | 'failed';

const POLL_MS = 1000;

function messageOf(error: unknown, fallback: string): string {
	if (error instanceof OrgSheetError) return error.message;
	if (error instanceof ApiError) {
		return error.offline
			? 'Cần có mạng để nhập đơn vị: máy chủ tạo đơn vị và tài khoản. Hãy thử lại khi có mạng.'
			: error.message;
	}
	return fallback;
}

export class OrgImportFlow {
	step = $state<OrgImportStep>('choose');
	fileName = $state('');
	plan = $state.raw<OrgImportPlan | null>(null);
	job = $state.raw<OrgImportView | null>(null);
	accounts = $state.raw<IssuedAccount[]>([]);
	error = $state<string | null>(null);
	busy = $state(false);
	/** The rows the preview shows and the import sends: the file's, with the secretary's fixes. */
	rows = $state.raw<OrgRows>([]);
	/** Rows left out in the preview (they can be taken back). */
	skipped = $state.raw<OrgRows>([]);
	/** Lines of the file whose cells were changed in the preview. */
	edited = $state.raw<readonly number[]>([]);
	/** The server is planning the rows again after a fix or a skip. */
	checking = $state(false);
	#timer: ReturnType<typeof setTimeout> | undefined;
	/** The unit imported into (read when used: the page's parameter). */
	readonly #unitId: () => string;

	constructor(unitId: () => string) {
		this.#unitId = unitId;
	}

	/** Passwords are on screen: leaving loses them for good. */
	get holdsPasswords(): boolean {
		return this.accounts.length > 0 && (this.step === 'running' || this.step === 'done');
	}

	get progressPercent(): number {
		const progress = this.job?.progress;
		return progress && progress.total > 0 ? Math.round((progress.done / progress.total) * 100) : 0;
	}

	async choose(file: File): Promise<void> {
		this.error = null;
		this.plan = null;
		this.fileName = file.name;
		this.step = 'reading';
		try {
			const rows = await readOrgSheet(file);
			this.plan = await previewOrgImport(this.#unitId(), rows);
			this.rows = rows;
			this.skipped = [];
			this.edited = [];
			this.step = 'preview';
		} catch (error) {
			this.error = messageOf(error, 'Không đọc được tệp này.');
			this.step = 'choose';
		}
	}

	async start(): Promise<void> {
		this.busy = true;
		this.error = null;
		try {
			const answer = await startOrgImport(this.#unitId(), this.rows);
			this.accounts = answer.accounts;
			this.job = answer.import;
			this.step = 'running';
			this.#poll();
		} catch (error) {
			if (error instanceof ApiError && error.code === 'invalid_rows') {
				// The server saw what the preview could not (a login taken since): its plan replaces ours.
				this.plan = await previewOrgImport(this.#unitId(), this.rows).catch(() => this.plan);
			}
			this.error = messageOf(error, 'Không bắt đầu nhập được.');
		} finally {
			this.busy = false;
		}
	}

	/**
	 * Cells of one row changed in the preview (by its position in `rows`): the server plans every
	 * row again — a fixed name or login can clear, or cause, another row's clash.
	 */
	async fix(index: number, changes: Partial<OrgSheetRow>): Promise<void> {
		const target = this.rows[index];
		if (!target) return;
		const cleaned = Object.fromEntries(
			Object.entries(changes).map(([key, value]) => [key, (value ?? '').trim()])
		);
		const next = this.rows.map((entry, i) =>
			i === index ? { line: entry.line, row: { ...entry.row, ...cleaned } } : entry
		);
		if (await this.#replan(next)) this.edited = [...this.edited, target.line];
	}

	/** One row left out of the import (the last one stays: there would be nothing to import). */
	async skip(index: number): Promise<void> {
		const target = this.rows[index];
		if (!target || this.rows.length < 2) return;
		if (await this.#replan(this.rows.filter((_, i) => i !== index))) {
			this.skipped = [...this.skipped, target];
		}
	}

	/** A row left out taken back, in its place in the file. */
	async restore(line: number): Promise<void> {
		const back = this.skipped.find((entry) => entry.line === line);
		if (!back) return;
		if (await this.#replan([...this.rows, back].sort((a, b) => a.line - b.line))) {
			this.skipped = this.skipped.filter((entry) => entry.line !== line);
		}
	}

	async #replan(next: OrgRows): Promise<boolean> {
		this.checking = true;
		this.error = null;
		try {
			this.plan = await previewOrgImport(this.#unitId(), next);
			this.rows = next;
			return true;
		} catch (error) {
			this.error = messageOf(error, 'Không kiểm tra lại được: chưa có gì thay đổi.');
			return false;
		} finally {
			this.checking = false;
		}
	}

	#poll(): void {
		this.#timer = setTimeout(async () => {
			const importId = this.job?.importId;
			if (!importId) return;
			try {
				this.job = await getOrgImport(this.#unitId(), importId);
			} catch {
				// A dropped poll on 3G: the next one asks again.
			}
			if (this.job?.state === 'done') this.step = 'done';
			else if (this.job?.state === 'failed') {
				this.step = 'failed';
				this.accounts = [];
				this.error = this.job.error ?? 'Nhập không thành công; không có gì được tạo.';
			} else this.#poll();
		}, POLL_MS);
	}

	reset(): void {
		clearTimeout(this.#timer);
		this.step = 'choose';
		this.plan = null;
		this.job = null;
		this.accounts = [];
		this.error = null;
		this.rows = [];
		this.skipped = [];
		this.edited = [];
	}

	stop(): void {
		clearTimeout(this.#timer);
	}

	async downloadTemplate(): Promise<void> {
		downloadFile({ data: await orgTemplateXlsx(), fileName: 'mau-nhap-don-vi.xlsx' });
	}

	async exportTree(unitName: string): Promise<void> {
		this.error = null;
		try {
			const rows = await getOrgSheet(this.#unitId());
			downloadFile({
				data: await orgSheetXlsx({ rows, withNotes: false }),
				fileName: `don-vi-truc-thuoc-${unitName.normalize('NFD').replace(/[^\w]+/g, '-').toLowerCase()}.xlsx`
			});
		} catch (error) {
			this.error = messageOf(error, 'Không xuất được danh sách đơn vị.');
		}
	}

	/** The list as tab-separated text: pasted into a sheet or a message, one account a line. */
	listText(): string {
		const head = 'Đơn vị\tHọ tên bí thư\tTên đăng nhập\tMật khẩu tạm thời\tSố điện thoại';
		return [
			head,
			...this.accounts.map((a) =>
				[a.unitName, a.fullName, a.login, a.temporaryPassword, a.phone ?? ''].join('\t')
			)
		].join('\n');
	}
}
