import * as v from 'valibot';
import { AppError } from './app-error';

// Input at the organisation API's boundary: valibot schemas, and bad input answered 422 with the
// field at fault and the schema's Vietnamese message (docs/architecture.md, "Organisation API").

export function unprocessable(issues: v.BaseIssue<unknown>[], fallback: string): AppError {
	const issue = issues[0];
	const key = issue?.path?.[0]?.key;
	return new AppError({
		status: 422,
		error: 'invalid',
		reason: issue?.message ?? fallback,
		field: key === undefined ? undefined : String(key)
	});
}

export function parse<const S extends v.GenericSchema>(
	schema: S,
	input: unknown,
	fallback: string
): v.InferOutput<S> {
	const parsed = v.safeParse(schema, input ?? {});
	if (!parsed.success) throw unprocessable(parsed.issues, fallback);
	return parsed.output;
}
