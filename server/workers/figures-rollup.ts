import { describeError, type Logger } from '../http/logger';
import { addSummaries, figuresDocId, type FiguresDoc } from '../../src/lib/domain/figures';
import { buildFiguresDoc, knownOf, seriesWith, type Known } from './figures-doc';
import type { FiguresReader, UnitPart } from './figures-reader';
import type { FiguresStore } from './figures-store';
import type { FiguresTree } from './figures-tree';

// The figures worker's sums (docs/figures.md): given the units whose database must be read and the
// units to rebuild, it reads the former, makes sure every child to add is known (from memory, or
// from the figures already written in its parent's database), and adds up bottom-up by depth — each
// unit once — into the documents to write, by holder database. What it knows of each unit stays in
// `known` between cycles.

export class FiguresRollup {
	/** Each unit's own part, total and series, as last computed or read back. */
	readonly known = new Map<string, Known>();
	readonly #tree: FiguresTree;
	readonly #store: FiguresStore;
	readonly #reader: FiguresReader;
	readonly #logger: Logger;
	readonly #keepLease: () => Promise<void>;
	readonly #running: () => boolean;

	constructor(options: {
		tree: FiguresTree;
		store: FiguresStore;
		reader: FiguresReader;
		logger: Logger;
		/** Renews the worker's lease (throws when another process took it). */
		keepLease: () => Promise<void>;
		running: () => boolean;
	}) {
		this.#tree = options.tree;
		this.#store = options.store;
		this.#reader = options.reader;
		this.#logger = options.logger;
		this.#keepLease = options.keepLease;
		this.#running = options.running;
	}

	/** Reads what must be read, and adds up bottom-up: the documents to write, by holder. */
	async compute(options: {
		today: string;
		now: Date;
		readOwn: Set<string>;
		rebuild: Set<string>;
		devicesOnly: Set<string>;
		/** A database could not be read, or a device list listed: again at the next cycle. */
		onFailure: (failure: { unitId: string; readOwn: boolean }) => void;
	}): Promise<{ byHolder: Map<string, FiguresDoc[]>; read: number; count: number }> {
		const { today, readOwn } = options;
		const due = new Set<string>();
		for (const id of [...options.rebuild, ...readOwn, ...options.devicesOnly]) {
			const unit = this.#tree.get(id);
			if (!unit) continue;
			due.add(id);
			for (const ancestor of this.#tree.ancestors(unit)) due.add(ancestor);
		}
		await this.#loadChildren(due, readOwn);

		// The databases to read, four at a time (they do not depend on each other).
		const parts = new Map<string, UnitPart>();
		const blocked = new Set<string>();
		const reading = [...readOwn];
		for (let i = 0; i < reading.length && this.#running(); i += 4) {
			await this.#keepLease();
			await Promise.all(
				reading.slice(i, i + 4).map(async (id) => {
					const unit = this.#tree.get(id)!;
					try {
						parts.set(id, await this.#reader.read({ unitId: id, db: unit.db, today }));
					} catch (error) {
						options.onFailure({ unitId: id, readOwn: true });
						if (!this.known.has(id)) blocked.add(id);
						this.#logger.error('figures_read_failed', { db: unit.db, error: describeError(error) });
					}
				})
			);
		}

		for (const id of options.devicesOnly) {
			const known = this.known.get(id);
			if (readOwn.has(id) || !known) continue;
			try {
				const devices = await this.#reader.refreshDevices(id, known.part.activity.devices);
				const activity = { ...known.part.activity, devices };
				this.known.set(id, { ...known, part: { ...known.part, activity } });
			} catch (error) {
				options.onFailure({ unitId: id, readOwn: false });
				this.#logger.error('figures_devices_failed', { unit: id, error: describeError(error) });
			}
		}

		const byHolder = new Map<string, FiguresDoc[]>();
		const order = [...due]
			.map((id) => this.#tree.get(id)!)
			.sort((a, b) => b.ancestors.length - a.ancestors.length || (a.id < b.id ? -1 : 1));
		const at = options.now.toISOString();
		let count = 0;
		for (const unit of order) {
			const children = this.#tree.children(unit.id);
			const part = parts.get(unit.id) ?? this.known.get(unit.id)?.part;
			if (!part || blocked.has(unit.id) || children.some((child) => blocked.has(child))) {
				// Without a part of its subtree its total would be wrong: it waits for the next cycle.
				blocked.add(unit.id);
				continue;
			}
			const total = addSummaries([
				part.own,
				...children.flatMap((child) => {
					const known = this.known.get(child);
					return known ? [known.total] : [];
				})
			]);
			const series = seriesWith(this.known.get(unit.id)?.series ?? {}, today, total.onRolls);
			this.known.set(unit.id, { part, total, series });
			const built = buildFiguresDoc({ unit, children, part, total, series, today, at });
			if (typeof built === 'string') {
				this.#logger.error('figures_invalid', { unit: unit.id, issue: built });
				continue;
			}
			const doc = built;
			count++;
			for (const holder of [unit.id, ...this.#tree.ancestors(unit)]) {
				const docs = byHolder.get(holder) ?? [];
				docs.push({ ...doc, unitId: holder });
				byHolder.set(holder, docs);
			}
		}
		return { byHolder, read: parts.size, count };
	}

	/**
	 * Every child of a unit to add up must be known: the ones not in memory are read from the
	 * unit's database (one request per unit, which holds its children's figures); a child without
	 * figures yet is read in full, and so on down.
	 */
	async #loadChildren(due: Set<string>, readOwn: Set<string>): Promise<void> {
		const queue = [...due];
		while (queue.length > 0) {
			const id = queue.pop()!;
			const unit = this.#tree.get(id);
			if (!unit) continue;
			const wanted = this.#tree
				.children(id)
				.filter((child) => !this.known.has(child) && !due.has(child));
			const selfMissing = !this.known.has(id) && !readOwn.has(id);
			if (selfMissing) wanted.push(id);
			if (wanted.length === 0) continue;
			const found = await this.#store
				.read(
					unit.db,
					wanted.map((child) => figuresDocId(child))
				)
				.catch(() => []);
			for (const doc of found) {
				this.known.set(doc.of.id, knownOf(doc));
			}
			for (const missing of wanted) {
				if (this.known.has(missing)) continue;
				readOwn.add(missing);
				if (missing !== id) {
					due.add(missing);
					queue.push(missing);
				}
			}
		}
	}
}
