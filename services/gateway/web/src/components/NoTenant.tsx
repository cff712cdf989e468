import { useMutation } from "@tanstack/react-query";
import { Building2 } from "lucide-react";
import { type FormEvent, useState } from "react";
import { toast } from "sonner";
import { api } from "@/api";
import { problemToForm } from "@/api/problems";
import { useAdoptSession } from "@/app/session";
import { useI18n } from "@/i18n";
import { describeError } from "@/lib/errors";
import { EmptyState } from "./EmptyState";
import { Button } from "./ui/button";
import { Field } from "./ui/field";
import { Input } from "./ui/input";

/** A signed-in user who belongs to no company (e.g. removed from the last one): open one to go on. */
export function NoTenant() {
  const { m } = useI18n();
  const adopt = useAdoptSession();
  const [name, setName] = useState("");
  const [error, setError] = useState<string | undefined>();
  const create = useMutation({
    mutationFn: async (tenantName: string) => {
      const tenant = await api.createTenant(tenantName);
      return api.switchTenant(tenant.id);
    },
    onSuccess: (me) => adopt(me),
    onError: (err) => {
      const mapped = problemToForm(err, ["name"] as const);
      setError(mapped.fields.name);
      if (mapped.toast) toast.error(mapped.fields.name ? mapped.toast : describeError(err, m));
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!name.trim()) return setError(m.validation.required);
    create.mutate(name.trim());
  };
  return (
    <div className="relative h-full overflow-auto">
      <EmptyState icon={Building2} title={m.noTenant.title} headingLevel={1}>
        <p>{m.noTenant.body}</p>
        <form onSubmit={submit} noValidate className="mt-6 grid gap-3 text-left text-foreground">
          <Field label={m.noTenant.name} error={error}>
            {(ids) => <Input {...ids} value={name} onChange={(e) => setName(e.target.value)} autoComplete="organization" />}
          </Field>
          <Button type="submit" disabled={create.isPending}>
            {m.noTenant.submit}
          </Button>
        </form>
      </EmptyState>
    </div>
  );
}
