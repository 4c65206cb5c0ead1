import { todayIso } from '$lib/domain/dates';
import type { MemberFieldKey } from '$lib/domain/member-schema';
import {
	guessColumnMapping,
	missingFields
} from '$lib/domain/spreadsheets/member-import-headers';
import {
	revalidateImportRow,
	type ImportContext
} from '$lib/domain/spreadsheets/member-import-plan';
import type {
	ColumnGuess,
	ColumnMapping,
	ExistingMember,
	ImportPreview,
	ImportReport
} from '$lib/domain/spreadsheets/member-import-types';
import { applyMemberImport } from '$lib/data/commands/member-import';
import { packDocs, shelvePreview, unpackDocs, unshelvePreview } from './member-import-packed-plan';
import { yieldToMain } from '$lib/data/sync/main-thread';
import {
	previewMemberImport,
	readSheetInWorker,
	type ImportProgress
} from '$lib/data/spreadsheets/member-import-client';
import type { PackedGrid } from '$lib/data/spreadsheets/member-import-packed';
import {
	recallColumnMapping,
	rememberColumnMapping
} from '$lib/data/spreadsheets/member-import-mappings';
import {
	TEMPLATE_GUIDE_SHEET,
	TEMPLATE_LISTS_SHEET
} from '$lib/data/spreadsheets/member-template';
import { ulid } from '$lib/data/ids';
import {
	chosenRowNumbers,
	emptySet,
	loadedMembers,
	repeatedTargets,
	nowIso,
	planInSlices,
	toggled,
	type WritableClass
} from './member-import-selection';

// The import screen's steps as named states (docs/member-import-screen.md): choose a
// file → map its columns → preview every row classified (fix a cell, skip a row, choose classes) →
// confirm → write, all or nothing, with progress and cancel → the report. Reading and checking run
// in the import's worker; nothing is written before "confirm", and a cancelled write leaves nothing.

export type ImportStepName =
	| 'choose'
	| 'reading'
	| 'mapping'
	| 'checking'
	| 'preview'
	| 'confirm'
	| 'writing'
	| 'done';

/** The stepper's five steps and which of them each state belongs to. */
export const IMPORT_STEPS = ['Chọn tệp', 'Ghép cột', 'Xem trước', 'Ghi', 'Báo cáo'] as const;
const STEP_INDEX: Record<ImportStepName, number> = {
	choose: 0,
	reading: 0,
	mapping: 1,
	checking: 1,
	preview: 2,
	confirm: 2,
	writing: 3,
	done: 4
};

export type { WritableClass };

export interface ImportFlowProgress {
	label: string;
	done: number;
	total: number;
}

const ACCEPTED = /\.(xlsx|csv)$/i;

const STAGE_LABELS: Record<ImportProgress['stage'], string> = {
	reading: 'Đang đọc tệp',
	checking: 'Đang kiểm tra từng dòng',
	registry: 'Đang kiểm tra số CCCD với các đơn vị khác'
};

function isAbort(error: unknown): boolean {
	return error instanceof DOMException && error.name === 'AbortError';
}

function messageOf(error: unknown): string {
	if (error instanceof Error && error.message && !/^not yet$/.test(error.message)) {
		return error.message;
	}
	return 'Không đọc được tệp. Hãy kiểm tra tệp là .xlsx hoặc .csv rồi thử lại.';
}

export class MemberImportFlow {
	step = $state<ImportStepName>('choose');
	/** What went wrong at this step, in Vietnamese. */
	error = $state<string | null>(null);
	/** What the secretary should know after an act (a cancel that wrote nothing…). */
	notice = $state<string | null>(null);
	fileName = $state('');
	progress = $state<ImportFlowProgress | null>(null);

	grid = $state.raw<PackedGrid | null>(null);
	sheetIndex = $state(0);
	guess = $state.raw<ColumnGuess | null>(null);
	mapping = $state<ColumnMapping>([]);

	preview = $state.raw<ImportPreview | null>(null);
	/** Rows the secretary left out. */
	skipped = $state.raw<ReadonlySet<number>>(emptySet());
	classes = $state.raw<ReadonlySet<WritableClass>>(emptySet<WritableClass>(['new', 'update']));
	report = $state.raw<ImportReport | null>(null);

	#context: ImportContext | null = null;
	#abort: AbortController | null = null;
	readonly #unit: { id: string; db: string };
	readonly #login: string;

	constructor(options: { unit: { id: string; db: string }; login: string }) {
		this.#unit = options.unit;
		this.#login = options.login;
	}

	get stepIndex(): number {
		return STEP_INDEX[this.step];
	}

	get sheet() {
		return this.grid?.sheets[this.sheetIndex] ?? null;
	}

	/** Fields a new member needs that no column gives (the import's own list). */
	get missing(): MemberFieldKey[] {
		return missingFields(this.mapping);
	}

	/** Fields two columns claim (only the first is read). */
	get repeated(): string[] {
		return repeatedTargets(this.mapping);
	}

	/** The rows the import would write (chosen classes, not skipped) and how many of each class. */
	chosen = $derived(
		chosenRowNumbers({ preview: this.preview, classes: this.classes, skipped: this.skipped })
	);

	async chooseFile(file: File): Promise<void> {
		this.error = null;
		this.notice = null;
		if (!ACCEPTED.test(file.name)) {
			this.error = 'Chỉ nhận tệp Excel (.xlsx) hoặc .csv.';
			return;
		}
		this.fileName = file.name;
		this.step = 'reading';
		this.progress = { label: 'Đang đọc tệp', done: 0, total: 0 };
		const abort = (this.#abort = new AbortController());
		try {
			const grid = await readSheetInWorker({
				data: await file.arrayBuffer(),
				fileName: file.name,
				signal: abort.signal,
				onProgress: (p) => this.#onProgress(p)
			});
			if (grid.sheets.length === 0) {
				this.error = 'Tệp không có bảng đoàn viên nào (không tìm thấy dòng tiêu đề).';
				this.step = 'choose';
				return;
			}
			this.grid = grid;
			// The template's guide and lists are not members: start on the first other sheet.
			const first = grid.sheets.findIndex(
				(s) => s.name !== TEMPLATE_GUIDE_SHEET && s.name !== TEMPLATE_LISTS_SHEET
			);
			await this.chooseSheet(first < 0 ? 0 : first);
			this.step = 'mapping';
		} catch (error) {
			this.step = 'choose';
			this.error = isAbort(error) ? null : messageOf(error);
		} finally {
			this.progress = null;
			this.#abort = null;
		}
	}

	/** Another worksheet of the file: its headers guessed again (a remembered mapping first). */
	async chooseSheet(index: number): Promise<void> {
		this.sheetIndex = index;
		const headers = this.grid?.sheets[index]?.headers ?? [];
		const remembered = await recallColumnMapping({ unitId: this.#unit.id, headers }).catch(
			() => undefined
		);
		const guess = guessColumnMapping({ headers, remembered });
		this.guess = guess;
		this.mapping = [...guess.mapping];
	}

	/** Maps the columns as chosen, remembers the mapping, and classifies every row. */
	async checkRows(): Promise<void> {
		const grid = this.grid;
		const sheet = this.sheet;
		if (!grid || !sheet) return;
		this.error = null;
		this.notice = null;
		this.step = 'checking';
		this.progress = { label: 'Đang kiểm tra từng dòng', done: 0, total: sheet.rowCount };
		const mapping = $state.snapshot(this.mapping) as ColumnMapping;
		const abort = (this.#abort = new AbortController());
		try {
			await rememberColumnMapping({ unitId: this.#unit.id, headers: sheet.headers, mapping }).catch(
				() => undefined
			);
			const { preview, context } = await previewMemberImport({
				db: this.#unit.db,
				grid,
				sheetIndex: this.sheetIndex,
				mapping,
				signal: abort.signal,
				onProgress: (p) => this.#onProgress(p)
			});
			this.#context = context;
			this.preview = preview;
			this.skipped = emptySet();
			this.step = 'preview';
		} catch (error) {
			this.step = 'mapping';
			this.error = isAbort(error) ? null : messageOf(error);
		} finally {
			this.progress = null;
			this.#abort = null;
		}
	}

	/** The secretary typed new values into a row's cells: the row is checked again. */
	fixRow(options: { rowNumber: number; changes: Partial<Record<MemberFieldKey, string>> }): void {
		const preview = this.preview;
		const context = this.#context;
		if (!preview || !context) return;
		this.preview = revalidateImportRow({ ...context, preview, ...options });
	}

	skipRow(rowNumber: number, skip: boolean): void {
		this.skipped = toggled(this.skipped, rowNumber, skip);
	}

	chooseClass(kind: WritableClass, chosen: boolean): void {
		this.classes = toggled(this.classes, kind, chosen);
	}

	askConfirm(): void {
		if (this.chosen.rows.length === 0) {
			this.error = 'Chưa chọn dòng nào để nhập.';
			return;
		}
		this.error = null;
		this.step = 'confirm';
	}

	backToPreview(): void {
		this.step = 'preview';
	}

	backToMapping(): void {
		this.error = null;
		this.step = 'mapping';
	}

	/** Writes the chosen rows, all or nothing. */
	async write(): Promise<void> {
		if (!this.preview || !this.#context) return;
		this.error = null;
		this.notice = null;
		this.step = 'writing';
		const abort = (this.#abort = new AbortController());
		const chosen = this.chosen.rows.length;
		// Planned a slice at a time so the screen keeps answering (measured: the bench reads it).
		const planStart = performance.now();
		let planned: Awaited<ReturnType<typeof planInSlices>>;
		try {
			planned = await this.#plan(abort.signal);
		} catch (error) {
			this.step = 'preview';
			this.progress = null;
			this.#abort = null;
			if (isAbort(error)) this.notice = 'Đã hủy. Chưa ghi đoàn viên nào vào máy.';
			else this.error = messageOf(error);
			return;
		}
		performance.measure('member-import:plan', { start: planStart });
		if (!planned.ok) {
			this.step = 'preview';
			this.progress = null;
			this.#abort = null;
			this.error = planned.message;
			return;
		}
		// The preview is packed off the JavaScript heap while the write runs (member-import-packed-plan.ts:
		// half the heap the write's collections work through) and brought back if the secretary
		// returns to it. Nothing else holds its rows meanwhile.
		const shelved = this.preview ? await shelvePreview(this.preview) : null;
		this.preview = null;
		// So are the unit's members the preview was judged against: on the update path each with her
		// whole document (5,000 members, as many documents as the write itself).
		const context = this.#context;
		const existing = context ? await packDocs(context.existing) : [];
		if (context) this.#context = { ...context, existing: [] };
		this.progress = { label: 'Đang ghi đoàn viên', done: 0, total: chosen };
		let back = false;
		try {
			const result = await applyMemberImport({
				db: this.#unit.db,
				plan: planned.plan,
				signal: abort.signal,
				onProgress: (done, all) => (this.progress = { label: 'Đang ghi đoàn viên', done, total: all })
			});
			if (result.ok) {
				this.report = result.report;
				this.step = 'done';
			} else {
				back = true;
				if (result.cancelled) this.notice = 'Đã hủy. Chưa ghi đoàn viên nào vào máy.';
				else this.error = result.message;
			}
		} catch (error) {
			back = true;
			this.error = isAbort(error)
				? null
				: `Chưa nhập được: ${messageOf(error)} Chưa ghi đoàn viên nào.`;
			if (isAbort(error)) this.notice = 'Đã hủy. Chưa ghi đoàn viên nào vào máy.';
		} finally {
			if (back && context) {
				this.#context = { ...context, existing: (await unpackDocs(existing)) as ExistingMember[] };
			}
			if (back && shelved) this.preview = await unshelvePreview(shelved);
			if (back) this.step = 'preview';
			this.progress = null;
			this.#abort = null;
		}
	}

	/** The chosen rows' documents, planned in slices and packed (member-import-selection.ts). */
	async #plan(signal: AbortSignal): ReturnType<typeof planInSlices> {
		const preview = this.preview;
		const context = this.#context;
		if (!preview || !context) return { ok: false, message: 'Chưa có bản xem trước.' };
		this.progress = { label: 'Đang chuẩn bị', done: 0, total: preview.rows.length };
		// The tap's own task only closes the dialog and takes the preview off the screen; planning
		// the first slice in it too made it one task of 90–150 ms at 4× CPU (bench trace).
		await yieldToMain();
		if (signal.aborted) throw new DOMException('Đã hủy.', 'AbortError');
		return planInSlices({
			preview,
			chosenRows: this.chosen.rows,
			members: loadedMembers(context.existing),
			actor: { login: this.#login, unitId: this.#unit.id },
			now: nowIso(),
			today: todayIso(),
			fileName: this.fileName,
			unitId: this.#unit.id,
			newUlid: () => ulid(),
			signal,
			onProgress: (done, total) => (this.progress = { label: 'Đang chuẩn bị', done, total })
		});
	}

	/** Stops reading, checking or writing; what was being written is not kept. */
	cancel(): void {
		this.#abort?.abort();
	}

	/** Another file from the start. */
	restart(): void {
		this.cancel();
		this.step = 'choose';
		this.error = null;
		this.notice = null;
		this.fileName = '';
		this.grid = null;
		this.guess = null;
		this.mapping = [];
		this.preview = null;
		this.report = null;
		this.skipped = emptySet();
		this.#context = null;
	}

	#onProgress(progress: ImportProgress): void {
		this.progress = { label: STAGE_LABELS[progress.stage], done: progress.done, total: progress.total };
	}
}
