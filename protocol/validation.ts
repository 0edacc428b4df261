/**
 * The one shape of a validator's answer, on both sides: the beacon checks its own beat with
 * `validateBeat` before sending, the Worker checks beats and admin bodies. Each error names the
 * field, so an answer can say exactly what to fix.
 */
export interface FieldError {
  field: string;
  message: string;
}

export type Validation<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };
