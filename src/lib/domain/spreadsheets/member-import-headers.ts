import type { ColumnGuess, RememberedMapping } from './member-import-types';

// Which sheet column feeds which member field, guessed from the header texts (docs/spreadsheets.md).

/** Guesses a target for every column; a remembered mapping (by folded header) wins over guessing. */
export function guessColumnMapping(options: {
	headers: readonly string[];
	remembered?: RememberedMapping;
}): ColumnGuess {
	void options;
	throw new Error('not yet');
}

/** The key a header is remembered and matched by: folded, spaces and punctuation collapsed. */
export function headerKey(header: string): string {
	void header;
	throw new Error('not yet');
}
