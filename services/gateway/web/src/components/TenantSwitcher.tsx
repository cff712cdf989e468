import { useMutation } from "@tanstack/react-query";
import { Building2, ChevronsUpDown } from "lucide-react";
import { useNavigate } from "react-router";
import { toast } from "sonner";
import { api } from "@/api";
import { useAdoptSession, useMe } from "@/app/session";
import { useI18n } from "@/i18n";
import { describeError } from "@/lib/errors";
import { Button } from "./ui/button";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuLabel,
  DropdownMenuRadioGroup,
  DropdownMenuRadioItem,
  DropdownMenuTrigger,
} from "./ui/dropdown-menu";

/** The company the session acts for; a menu to switch when the user belongs to several. */
export function TenantSwitcher() {
  const { m } = useI18n();
  const { data: me } = useMe();
  const adopt = useAdoptSession();
  const navigate = useNavigate();
  const switchTenant = useMutation({
    mutationFn: (tenantId: string) => api.switchTenant(tenantId),
    onSuccess: (next) => {
      adopt(next);
      navigate("/inbox");
      if (next.tenant) toast.success(m.account.switched(next.tenant.name));
    },
    onError: (error) => toast.error(describeError(error, m)),
  });
  if (!me?.tenant) return null;
  const current = me.tenant;
  if (me.memberships.length < 2) {
    return (
      <span className="inline-flex min-w-0 items-center gap-2 text-sm font-medium" data-testid="tenant-name">
        <Building2 className="size-4 shrink-0 text-muted-foreground" aria-hidden="true" />
        <span className="truncate">{current.name}</span>
      </span>
    );
  }
  return (
    <DropdownMenu>
      <DropdownMenuTrigger asChild>
        <Button
          variant="ghost"
          className="min-w-0 max-w-64 justify-start px-2"
          aria-label={`${m.account.switchTenant}: ${current.name}`}
          disabled={switchTenant.isPending}
        >
          <Building2 className="text-muted-foreground" aria-hidden="true" />
          <span className="truncate" data-testid="tenant-name">{current.name}</span>
          <ChevronsUpDown className="text-muted-foreground" aria-hidden="true" />
        </Button>
      </DropdownMenuTrigger>
      <DropdownMenuContent align="start">
        <DropdownMenuLabel>{m.account.switchTenant}</DropdownMenuLabel>
        <DropdownMenuRadioGroup
          value={current.id}
          onValueChange={(tenantId) => tenantId !== current.id && switchTenant.mutate(tenantId)}
        >
          {me.memberships.map(({ tenant, role }) => (
            <DropdownMenuRadioItem key={tenant.id} value={tenant.id}>
              <span className="flex-1 truncate">{tenant.name}</span>
              <span className="text-xs text-muted-foreground">{m.account.role[role] ?? role}</span>
            </DropdownMenuRadioItem>
          ))}
        </DropdownMenuRadioGroup>
      </DropdownMenuContent>
    </DropdownMenu>
  );
}
