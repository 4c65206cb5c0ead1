// The operation forms' vocabulary is the domain's (src/lib/domain/operations/form.ts), since the
// catalogue entries describe their fields; the screens and field components read it from here.
export {
	checkedValues,
	decisionInput,
	emptyDecision,
	groupedValues,
	type DecisionValues,
	type FormValues as FieldValues,
	type OperationField as FieldSpec
} from '$lib/domain';
