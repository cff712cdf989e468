import { LoaderCircle } from "lucide-react";
import { type FormEvent, useState } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { toast } from "sonner";
import { api } from "@/api";
import { ApiError, problemToForm } from "@/api/problems";
import { EXPIRED_FLAG } from "@/app/App";
import { useAdoptSession } from "@/app/session";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { useI18n } from "@/i18n";
import { describeError } from "@/lib/errors";
import { safeNext } from "@/lib/utils";
import { AuthLayout, OAuthButtons, OrDivider } from "./AuthLayout";

type LoginField = "email" | "password";

function takeExpiredFlag(): boolean {
  try {
    const flag = sessionStorage.getItem(EXPIRED_FLAG) === "1";
    sessionStorage.removeItem(EXPIRED_FLAG);
    return flag;
  } catch {
    return false;
  }
}

export default function LoginPage() {
  const { m } = useI18n();
  const [params] = useSearchParams();
  const next = safeNext(params.get("next"));
  const navigate = useNavigate();
  const adopt = useAdoptSession();
  const [expired] = useState(takeExpiredFlag);
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [errors, setErrors] = useState<Partial<Record<LoginField, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const local: Partial<Record<LoginField, string>> = {};
    if (!email.trim()) local.email = m.validation.required;
    if (!password) local.password = m.validation.required;
    setErrors(local);
    setFormError(null);
    if (Object.keys(local).length) return;
    setPending(true);
    try {
      const me = await api.login({ email: email.trim(), password });
      adopt(me);
      navigate(next, { replace: true });
    } catch (error) {
      if (error instanceof ApiError && (error.status === 401 || error.status === 429)) {
        setFormError(describeError(error, m));
      } else {
        const mapped = problemToForm(error, ["email", "password"] as const);
        setErrors(mapped.fields);
        if (mapped.toast) toast.error(Object.keys(mapped.fields).length ? mapped.toast : describeError(error, m));
      }
    } finally {
      setPending(false);
    }
  }

  return (
    <AuthLayout
      title={m.auth.loginTitle}
      subtitle={m.auth.loginSubtitle}
      footer={
        <>
          {m.auth.noAccount}{" "}
          <Link className="font-medium text-primary underline-offset-4 hover:underline" to={`/signup${params.get("next") ? `?next=${encodeURIComponent(next)}` : ""}`}>
            {m.auth.createAccount}
          </Link>
        </>
      }
    >
      {expired ? (
        <p role="status" className="mb-4 rounded-md border border-warning/40 bg-warning/10 px-3 py-2 text-sm">
          {m.auth.sessionExpired}
        </p>
      ) : null}
      <OAuthButtons next={next} labels={{ google: m.auth.google, facebook: m.auth.facebook }} />
      <OrDivider label={m.auth.or} />
      <form onSubmit={submit} noValidate className="grid gap-4">
        <Field label={m.auth.email} error={errors.email}>
          {(ids) => (
            <Input {...ids} type="email" name="email" autoComplete="username" inputMode="email" value={email} onChange={(e) => setEmail(e.target.value)} required />
          )}
        </Field>
        <Field label={m.auth.password} error={errors.password}>
          {(ids) => (
            <Input {...ids} type="password" name="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
          )}
        </Field>
        {formError ? (
          <p role="alert" className="text-sm font-medium text-destructive">
            {formError}
          </p>
        ) : null}
        <Button type="submit" disabled={pending} className="w-full">
          {pending ? <LoaderCircle className="animate-spin" aria-hidden="true" /> : null}
          {pending ? m.auth.loggingIn : m.auth.login}
        </Button>
      </form>
    </AuthLayout>
  );
}
