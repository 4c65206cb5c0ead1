import * as v from 'valibot';
import { ConsentRecordSchema } from './consent';
import { DeclarationInputSchema } from './declaration-input';
import type { DeclaredFields } from './declaration-schema';
import type { DeclarationState } from './declaration-status';

// The public API of self-declaration (ADR 0019; docs/architecture.md, HTTP): what the member's phone
// sends and receives. No account: the join link opens the door to one unit, the receipt code to one
// declaration. Every body is parsed JSON checked here, on the phone and again on the server.

/** A body's largest size: a whole declaration is a few kilobytes. */
export const DECLARATION_BODY_MAX_BYTES = 16 * 1024;

const Text = (max: number) => v.pipe(v.string(), v.maxLength(max));

/** POST /api/declarations — a new declaration (resent as is until the phone has the answer). */
export const SubmitDeclarationSchema = v.strictObject({
	/** The join link's segment `<unitId>-<CODE>`. */
	link: Text(60),
	/** Generated on the phone (codes.ts newReceiptCode); the server stores only its hash. */
	receipt: Text(40),
	fields: DeclarationInputSchema,
	consent: ConsentRecordSchema
});
export type SubmitDeclaration = v.InferOutput<typeof SubmitDeclarationSchema>;

/** POST /api/declarations/status and /withdraw — the receipt code is the only key. */
export const ReceiptRequestSchema = v.strictObject({ receipt: Text(40) });

/** POST /api/declarations/correct — the member's new version, while the declaration is open. */
export const CorrectDeclarationSchema = v.strictObject({
	receipt: Text(40),
	fields: DeclarationInputSchema,
	consent: ConsentRecordSchema
});

/** GET /api/join/<link> — what the member is declaring to. */
export interface JoinLinkInfo {
	unit: { id: string; name: string };
	branch?: { id: string; name: string };
	/** The consent text's version the form must show (consent.ts). */
	consentVersion: string;
}

/** The answer to submit, correct, status and withdraw: the declaration as its author may see it. */
export interface DeclarationView {
	receipt: string;
	unit: { id: string; name: string };
	branch?: { id: string; name: string };
	state: DeclarationState;
	reason?: string;
	revision: number;
	submittedAt: string;
	correctedAt?: string;
	decidedAt?: string;
	fields: DeclaredFields;
	consent: { version: string; at: string };
}
