/** The sign-in and sign-up form: posts JSON to the account API, then goes where it was asked. */
import { authenticate } from "./api.ts";
import { useState } from "preact/hooks";

/** Props of the form island. */
export interface AuthFormProps {
  mode: "login" | "signup";
  /** Where to go once signed in (a path on this site). */
  next: string;
}

/** Email, password (and name, to sign up). */
export function AuthForm({ mode, next }: AuthFormProps) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    setBusy(true);
    setError(null);
    try {
      await authenticate(mode, Object.fromEntries(form));
      location.assign(next);
    } catch (err) {
      setError((err as Error).message);
      setBusy(false);
    }
  };

  const field =
    "rounded-md border border-slate-300 px-3 py-2 focus:border-indigo-500 focus:outline-none";
  return (
    <form onSubmit={submit} class="flex flex-col gap-3" data-testid={`${mode}-form`}>
      {mode === "signup" && (
        <label class="flex flex-col gap-1 text-sm">
          Name
          <input name="name" required maxLength={80} autoComplete="name" class={field} />
        </label>
      )}
      <label class="flex flex-col gap-1 text-sm">
        Email
        <input
          name="email"
          type="email"
          required
          maxLength={254}
          autoComplete="email"
          class={field}
        />
      </label>
      <label class="flex flex-col gap-1 text-sm">
        Password
        <input
          name="password"
          type="password"
          required
          minLength={mode === "signup" ? 8 : undefined}
          maxLength={200}
          autoComplete={mode === "signup" ? "new-password" : "current-password"}
          class={field}
        />
      </label>
      {error && (
        <p role="alert" class="rounded-md bg-rose-50 px-3 py-2 text-sm text-rose-800">{error}</p>
      )}
      <button
        type="submit"
        disabled={busy}
        class="rounded-lg bg-indigo-600 px-4 py-2 font-medium text-white hover:bg-indigo-500 disabled:opacity-50"
      >
        {mode === "signup" ? "Create the account" : "Sign in"}
      </button>
    </form>
  );
}
