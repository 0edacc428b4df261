/** One line of doctor's checklist: ✓ or ✗, what was checked, and for a problem the exact fix. */
export interface DoctorCheck {
  ok: boolean;
  title: string;
  detail?: string;
  fix?: string;
  /** The server pid the check is about, if any. */
  server?: number;
}
