import { LoaderCircle } from "lucide-react";
import { type ChangeEvent, type FormEvent, useState } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { toast } from "sonner";
import { api } from "@/api";
import { ApiError, problemToForm } from "@/api/problems";
import { useAdoptSession } from "@/app/session";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { useI18n } from "@/i18n";
import { describeError } from "@/lib/errors";
import { safeNext } from "@/lib/utils";
import { AuthLayout, OAuthButtons, OrDivider } from "./AuthLayout";

const FIELDS = ["name", "tenant_name", "email", "password"] as const;
type SignupField = (typeof FIELDS)[number];
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export default function SignupPage() {
  const { m } = useI18n();
  const [params] = useSearchParams();
  const next = safeNext(params.get("next"));
  const navigate = useNavigate();
  const adopt = useAdoptSession();
  const [values, setValues] = useState<Record<SignupField, string>>({ name: "", tenant_name: "", email: "", password: "" });
  const [errors, setErrors] = useState<Partial<Record<SignupField, string>>>({});
  const [pending, setPending] = useState(false);
  const set = (field: SignupField) => (e: ChangeEvent<HTMLInputElement>) =>
    setValues((v) => ({ ...v, [field]: e.target.value }));

  async function submit(event: FormEvent) {
    event.preventDefault();
    const local: Partial<Record<SignupField, string>> = {};
    for (const field of FIELDS) if (!values[field].trim()) local[field] = m.validation.required;
    if (!local.email && !EMAIL.test(values.email.trim())) local.email = m.validation.email;
    if (!local.password && values.password.length < 10) local.password = m.validation.passwordLength;
    setErrors(local);
    if (Object.keys(local).length) return;
    setPending(true);
    try {
      const me = await api.signup({
        name: values.name.trim(),
        tenant_name: values.tenant_name.trim(),
        email: values.email.trim(),
        password: values.password,
      });
      adopt(me);
      toast.success(m.auth.welcome(me.user.name));
      navigate(next, { replace: true });
    } catch (error) {
      const mapped = problemToForm(error, FIELDS);
      if (error instanceof ApiError && error.status === 409 && mapped.fields.email) mapped.fields.email = m.problems.emailTaken;
      setErrors(mapped.fields);
      if (mapped.toast) toast.error(Object.keys(mapped.fields).length ? mapped.toast : describeError(error, m));
    } finally {
      setPending(false);
    }
  }

  return (
    <AuthLayout
      title={m.auth.signupTitle}
      subtitle={m.auth.signupSubtitle}
      footer={
        <>
          {m.auth.haveAccount}{" "}
          <Link className="font-medium text-primary underline-offset-4 hover:underline" to={`/login${params.get("next") ? `?next=${encodeURIComponent(next)}` : ""}`}>
            {m.auth.login}
          </Link>
        </>
      }
    >
      <OAuthButtons next={next} labels={{ google: m.auth.google, facebook: m.auth.facebook }} />
      <OrDivider label={m.auth.or} />
      <form onSubmit={submit} noValidate className="grid gap-4">
        <Field label={m.auth.name} error={errors.name}>
          {(ids) => <Input {...ids} name="name" autoComplete="name" value={values.name} onChange={set("name")} required />}
        </Field>
        <Field label={m.auth.tenantName} error={errors.tenant_name}>
          {(ids) => <Input {...ids} name="tenant_name" autoComplete="organization" value={values.tenant_name} onChange={set("tenant_name")} required />}
        </Field>
        <Field label={m.auth.email} error={errors.email}>
          {(ids) => <Input {...ids} type="email" name="email" autoComplete="email" inputMode="email" value={values.email} onChange={set("email")} required />}
        </Field>
        <Field label={m.auth.password} hint={m.auth.passwordHint} error={errors.password}>
          {(ids) => <Input {...ids} type="password" name="password" autoComplete="new-password" minLength={10} value={values.password} onChange={set("password")} required />}
        </Field>
        <Button type="submit" disabled={pending} className="w-full">
          {pending ? <LoaderCircle className="animate-spin" aria-hidden="true" /> : null}
          {pending ? m.auth.signingUp : m.auth.signup}
        </Button>
      </form>
    </AuthLayout>
  );
}
