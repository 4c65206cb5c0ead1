// Reads a CouchDB `_changes` (or `_all_docs`) answer as it arrives: each element of its top-level
// `results` (or `rows`) array is handed over as soon as its last byte is in, so a first sync writes
// documents while the rest of the answer is still on the wire, and an interrupted answer still
// yields every complete row. The rest of the object (`last_seq`, `pending`…) is returned at the end.
// Works on text; whitespace and key order are free, as JSON allows.

const QUOTE = 34; // "
const BACKSLASH = 92; // \
const OPEN_BRACE = 123; // {
const CLOSE_BRACE = 125; // }
const OPEN_BRACKET = 91; // [
const CLOSE_BRACKET = 93; // ]
const COLON = 58; // :

export class JsonRowsParser<Row = unknown> {
	readonly #arrayKeys: readonly string[];
	#buf = '';
	#pos = 0;
	#depth = 0;
	#inString = false;
	/** Start of the string being read at depth 1 (a candidate key), in #buf. */
	#keyStart = -1;
	#lastKey: string | null = null;
	#afterKey = false;
	#inRows = false;
	#rowStart = -1;
	/** Everything of the top-level object except the rows array, rebuilt for the final parse. */
	#rest = '';
	#restFrom = 0;
	#rowsDone = false;

	constructor(options: { arrayKeys?: readonly string[] } = {}) {
		this.#arrayKeys = options.arrayKeys ?? ['results', 'rows'];
	}

	/** Feeds text; returns the rows completed by it. */
	push(text: string): Row[] {
		const rows: Row[] = [];
		this.#buf += text;
		const buf = this.#buf;
		let i = this.#pos;
		const n = buf.length;
		while (i < n) {
			if (this.#inString) {
				// Jump to the next quote that is not escaped.
				let q = buf.indexOf('"', i);
				while (q !== -1) {
					let backslashes = 0;
					for (let k = q - 1; k >= 0 && buf.charCodeAt(k) === BACKSLASH; k--) backslashes++;
					if (backslashes % 2 === 0) break;
					q = buf.indexOf('"', q + 1);
				}
				if (q === -1) {
					i = n;
					break;
				}
				this.#inString = false;
				if (this.#keyStart >= 0) {
					this.#lastKey = buf.slice(this.#keyStart + 1, q);
					this.#keyStart = -1;
					this.#afterKey = true;
				}
				i = q + 1;
				continue;
			}
			const c = buf.charCodeAt(i);
			if (c === QUOTE) {
				this.#inString = true;
				// A string directly inside the top-level object, not after a colon, is a key.
				if (this.#depth === 1 && !this.#afterKey) this.#keyStart = i;
			} else if (c === COLON) {
				// The key's value follows; `#afterKey` stays set until the value starts.
			} else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
				this.#depth++;
				if (
					this.#depth === 2 &&
					c === OPEN_BRACKET &&
					this.#afterKey &&
					this.#lastKey !== null &&
					this.#arrayKeys.includes(this.#lastKey) &&
					!this.#rowsDone
				) {
					this.#inRows = true;
					// Keep `"results":` out of the rest; the rows are not part of it either.
					this.#rest += buf.slice(this.#restFrom, i) + '[]';
				} else if (this.#inRows && this.#depth === 3) this.#rowStart = i;
				this.#afterKey = false;
			} else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
				if (this.#inRows && this.#depth === 3) {
					rows.push(JSON.parse(buf.slice(this.#rowStart, i + 1)) as Row);
					this.#rowStart = -1;
				}
				this.#depth--;
				if (this.#inRows && this.#depth === 1) {
					this.#inRows = false;
					this.#rowsDone = true;
					this.#restFrom = i + 1;
				}
			} else if (c > 32 && c !== 44) {
				// A scalar value (number, true, false, null) starts: the key has its value.
				this.#afterKey = false;
			} else if (c === 44) {
				this.#afterKey = false;
			}
			i++;
		}
		this.#pos = i;
		this.#compact();
		return rows;
	}

	/** The object without its rows array, once the whole answer has been read. */
	finish(): Record<string, unknown> {
		const text = this.#rest + this.#buf.slice(this.#restFrom);
		if (!this.#rowsDone) throw new SyntaxError('Dữ liệu đồng bộ bị cắt ngang.');
		return JSON.parse(text) as Record<string, unknown>;
	}

	/** Drops text that no later row or key can need. */
	#compact(): void {
		let keep = this.#pos;
		if (this.#rowStart >= 0) keep = Math.min(keep, this.#rowStart);
		if (this.#keyStart >= 0) keep = Math.min(keep, this.#keyStart);
		if (!this.#inRows) {
			// Outside the rows, keep everything for the final parse of the rest.
			keep = Math.min(keep, this.#restFrom);
		}
		if (keep <= 0) return;
		this.#buf = this.#buf.slice(keep);
		this.#pos -= keep;
		if (this.#rowStart >= 0) this.#rowStart -= keep;
		if (this.#keyStart >= 0) this.#keyStart -= keep;
		this.#restFrom -= keep;
	}
}
