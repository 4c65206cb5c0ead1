import * as v from 'valibot';
import {
	CURRENT_CONSENT_VERSION,
	DeclarationDocSchema,
	type DeclarationDoc,
	type DeclaredFields
} from '../../src/lib/domain/declarations';
import { ulid } from '../../server/ulid';
import type { TestServer } from './test-server';

// Members' own declarations as the server writes them on their behalf (ADR 0019): written here
// straight into the unit's database by the server's admin client, as the public API would, and
// checked against the domain's schema first so a fixture can never be something the API would not
// have stored.

/** A young man's declared fields, valid for any date the suite runs on; `overrides` for the rest. */
export function declaredPerson(overrides: Partial<DeclaredFields> = {}): DeclaredFields {
	return {
		familyName: 'Lò',
		middleName: 'Văn',
		givenName: 'Pằng',
		gender: 'male',
		birthDate: '2005-06-01',
		ethnicCode: '02',
		religion: 'Không',
		nationality: 'Việt Nam',
		partyMember: false,
		...overrides
	};
}

export function declarationDoc(options: {
	unitId: string;
	/** The document's ULID, for a test that orders declarations by it; default: a fresh one. */
	ulid?: string;
	branchId?: string;
	fields: DeclaredFields;
	submittedAt?: string;
}): DeclarationDoc {
	const at = options.submittedAt ?? new Date().toISOString();
	const doc: DeclarationDoc = {
		_id: `declaration:${options.ulid ?? ulid()}`,
		type: 'declaration',
		v: 1,
		unitId: options.unitId,
		...(options.branchId ? { branchId: options.branchId } : {}),
		joinLinkId: options.branchId
			? `join-link:${options.branchId.slice('branch:'.length)}`
			: 'join-link:unit',
		fields: options.fields,
		consent: { version: CURRENT_CONSENT_VERSION, given: true, at },
		revision: 1,
		state: 'submitted',
		submittedAt: at,
		createdAt: at,
		createdBy: 'server',
		updatedAt: at,
		updatedBy: 'server'
	};
	const checked = v.safeParse(DeclarationDocSchema, doc);
	if (!checked.success) {
		throw new Error(
			`fixture declaration invalid: ${checked.issues.map((i) => i.message).join('; ')}`
		);
	}
	return doc;
}

/** Writes declarations into the unit's database as the server (admin), not through /couch. */
export async function seedDeclarations(
	server: TestServer,
	options: { db: string; docs: DeclarationDoc[] }
): Promise<void> {
	const results = await server.couch.bulkDocs({ db: options.db, docs: options.docs });
	for (const result of results) {
		if (!result.ok) throw new Error(`seed failed: ${JSON.stringify(result)}`);
	}
}
