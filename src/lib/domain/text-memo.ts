// Names repeat: a province's 75,000 members share a few hundred family and middle names and a few
// thousand given names, so the work of folding or collating one name part is done once and looked
// up after (the read model derives these for every member it ingests). Bounded so that a device
// folding many distinct texts keeps a small table: it starts afresh when full.

const LIMIT = 20_000;

/** `fn` with its answers kept for the texts it was asked about most recently (up to 20,000). */
export function memoText<T>(fn: (text: string) => T): (text: string) => T {
	let cache = new Map<string, T>();
	return (text) => {
		let value = cache.get(text);
		if (value === undefined) {
			value = fn(text);
			if (cache.size >= LIMIT) cache = new Map();
			cache.set(text, value);
		}
		return value;
	};
}
