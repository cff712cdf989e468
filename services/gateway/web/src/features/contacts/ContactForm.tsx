import { useMutation, useQueryClient } from "@tanstack/react-query";
import { LoaderCircle } from "lucide-react";
import { type ComponentProps, type FormEvent, useState } from "react";
import { Link } from "react-router";
import { toast } from "sonner";
import { type Contact, contactsApi, type NewContact } from "@/api/contacts";
import { keys } from "@/api/keys";
import { ApiError, problemToForm } from "@/api/problems";
import { useTenantId } from "@/app/session";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { useI18n } from "@/i18n";
import { useMessages } from "@/i18n/feature";
import { describeError } from "@/lib/errors";
import { COUNTRIES, DIALING, parseTags } from "./contactPatch";
import { contactsMessages } from "./i18n";

const FIELDS = ["phone", "name", "email", "tags"] as const;
type FormField = (typeof FIELDS)[number];

/** Create a contact, or edit one's phone, name, e-mail and tags; a duplicate number links to the existing contact. */
export function ContactFormDialog({
  open,
  onOpenChange,
  contact,
  onSaved,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  contact?: Contact;
  onSaved?: (contact: Contact) => void;
}) {
  const { m } = useI18n();
  const t = useMessages(contactsMessages);
  const tenantId = useTenantId();
  const client = useQueryClient();
  const [values, setValues] = useState<Record<FormField, string>>(() => ({
    phone: contact?.phone ?? "",
    name: contact?.name ?? "",
    email: contact?.email ?? "",
    tags: contact?.tags?.join(", ") ?? "",
  }));
  const [errors, setErrors] = useState<Partial<Record<FormField, string>>>({});
  const [existingId, setExistingId] = useState<string | null>(null);
  const [country, setCountry] = useState("BR");
  const save = useMutation({
    mutationFn: (body: NewContact) => (contact ? contactsApi.update(contact.id, body) : contactsApi.create(body)),
    onSuccess: (saved) => {
      client.setQueryData(keys.contact(tenantId, saved.id), saved);
      void client.invalidateQueries({ queryKey: keys.contactLists(tenantId) });
      void client.invalidateQueries({ queryKey: keys.contactTags(tenantId) });
      toast.success(contact ? t.form.saved : t.form.created);
      onOpenChange(false);
      onSaved?.(saved);
    },
    onError: (error) => {
      if (error instanceof ApiError && error.status === 409) {
        const p = error.problem as { contact_id?: string };
        setExistingId(p.contact_id && p.contact_id !== contact?.id ? p.contact_id : null);
        setErrors({ phone: t.form.duplicate });
        return;
      }
      const mapped = problemToForm(error, FIELDS);
      setErrors(mapped.fields);
      if (mapped.toast) toast.error(Object.keys(mapped.fields).length ? mapped.toast : describeError(error, m));
    },
  });

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setExistingId(null);
    const local: Partial<Record<FormField, string>> = {};
    if (!values.phone.trim()) local.phone = m.validation.required;
    else if (values.phone.replace(/\D/g, "").length < 8) local.phone = t.form.phoneHint;
    if (values.email.trim() && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(values.email.trim())) local.email = m.validation.email;
    setErrors(local);
    if (Object.keys(local).length) {
      event.currentTarget.querySelector<HTMLInputElement>(`[name="${FIELDS.find((f) => local[f])}"]`)?.focus();
      return;
    }
    save.mutate({
      default_country: country,
      phone: values.phone.trim(),
      name: values.name.trim() || null,
      email: values.email.trim() || null,
      tags: parseTags(values.tags),
    });
  }

  const input = (field: FormField, props: ComponentProps<typeof Input> = {}, hint?: string) => (
    <Field label={t.form[field]} hint={hint} error={errors[field]}>
      {(ids) => (
        <Input {...ids} name={field} value={values[field]} onChange={(e) => setValues((v) => ({ ...v, [field]: e.target.value }))} {...props} />
      )}
    </Field>
  );

  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent closeLabel={m.app.close} data-testid="contact-form-dialog">
        <DialogHeader>
          <DialogTitle>{contact ? t.form.editTitle : t.form.createTitle}</DialogTitle>
          <DialogDescription className="sr-only">{contact ? t.form.editTitle : t.form.createTitle}</DialogDescription>
        </DialogHeader>
        <form onSubmit={submit} noValidate className="grid gap-4" aria-label={contact ? t.form.editTitle : t.form.createTitle}>
          <div className="grid gap-4 sm:grid-cols-[minmax(0,1fr)_10rem]">
            {input("phone", { type: "tel", inputMode: "tel", autoComplete: "off", autoFocus: true, required: true }, t.form.phoneHint)}
            <Field label={t.import.country}>
              {(ids) => (
                <Select {...ids} value={country} onChange={(e) => setCountry(e.target.value)}>
                  {COUNTRIES.map((c) => (
                    <option key={c} value={c}>
                      {t.countries[c] ?? c} (+{DIALING[c]})
                    </option>
                  ))}
                </Select>
              )}
            </Field>
          </div>
          {existingId ? (
            <Link to={`/contacts/${existingId}`} onClick={() => onOpenChange(false)} className="-mt-2 text-sm font-medium text-primary underline-offset-4 hover:underline">
              {t.form.openExisting}
            </Link>
          ) : null}
          {input("name", { autoComplete: "off", maxLength: 200 })}
          {input("email", { type: "email", autoComplete: "off" })}
          {input("tags", { autoComplete: "off" }, t.form.tagsHint)}
          <DialogFooter>
            <Button type="button" variant="ghost" onClick={() => onOpenChange(false)}>
              {t.form.cancel}
            </Button>
            <Button type="submit" disabled={save.isPending}>
              {save.isPending ? <LoaderCircle className="animate-spin" aria-hidden="true" /> : null}
              {save.isPending ? t.form.saving : t.form.save}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
