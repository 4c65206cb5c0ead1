// The order in which the cheap-phone bench measures its builds, and its side-by-side table.
// Measured one build after the other, the first build's samples all fell in the run's first
// minutes and the second's in the last: any drift of the machine's load, or a browser warming up,
// was charged to one build (stop 15 could not compare "Đăng nhập → searchable list" for it).
// Taking turns sample by sample (A B, B A, A B…) puts each build first as often as second, so that
// such an effect falls on both; `position` says which came first, and the table shows the effect
// of coming first beside the builds' medians (the bench's own noise, which alternation cancels
// rather than hides).

/** Round `round`'s order: as given on even rounds, reversed on odd ones; each item's position in it. */
export function alternated<T>(items: readonly T[], round: number): { item: T; position: number }[] {
	const order = round % 2 === 0 ? [...items] : [...items].reverse();
	return order.map((item, position) => ({ item, position }));
}

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

/**
 * The builds' medians in one table, the first build (ours) against the others as a ratio, each
 * metric's samples listed, and the median over all builds of the samples measured first of their
 * round against those measured second (what the order alone does).
 */
export function sideBySide<S extends { position: number }>(options: {
	builds: { label: string; samples: S[] }[];
	metrics: { name: string; unit: 's' | 'ms'; pick: (sample: S) => number }[];
}): string[] {
	const { builds, metrics } = options;
	const format = (value: number, unit: 's' | 'ms') =>
		Number.isNaN(value)
			? '—'
			: unit === 's'
				? `${(value / 1000).toFixed(1)} s`
				: `${Math.round(value)} ms`;
	const [ours, ...others] = builds;
	if (!ours) return [];
	const header = [
		'metric',
		...builds.map((b) => `${b.label} (median of ${b.samples.length})`),
		...others.map((b) => `${b.label} ÷ ${ours.label}`),
		'measured first ÷ second (all builds)'
	];
	const rows = metrics.map((metric) => {
		const medians = builds.map((b) => median(b.samples.map(metric.pick)));
		const all = builds.flatMap((b) => b.samples);
		const first = median(all.filter((s) => s.position === 0).map(metric.pick));
		const second = median(all.filter((s) => s.position > 0).map(metric.pick));
		return [
			metric.name,
			...builds.map(
				(b, i) =>
					`${format(medians[i]!, metric.unit)} [${b.samples.map((s) => format(metric.pick(s), metric.unit)).join(', ')}]`
			),
			...others.map((_, i) => `${(medians[i + 1]! / medians[0]!).toFixed(2)}×`),
			Number.isNaN(second) ? '—' : `${(first / second).toFixed(2)}×`
		];
	});
	const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
	const line = (cells: string[]) =>
		`  | ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
	return [line(header), `  | ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...rows.map(line)];
}
