"""The hooks a supplier plugin answers from what it declares, written once for every plugin
(public as ``core.plugin_api.SupplierHooks``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from core.hookspecs import hookimpl

if TYPE_CHECKING:
    from core.billing.contract import BillingAdapter
    from core.framework.descriptions import IdentityMethod, RequestType, SupplierInfo


class SupplierHooks:
    """The four hooks every supplier plugin answers from its declarations alone.

    ``SupplierHooks(supplier, demo_backend, identity_methods=..., request_types=...)``:
    ``supplier`` is the plugin's :class:`SupplierInfo`, ``demo_backend`` makes its demo
    back-end (a class or any callable without arguments; the core keeps one per tenant),
    ``identity_methods`` and ``request_types`` are the same for every tenant of the plugin.
    The plugin's module binds the methods under the hooks' names, which registers them
    with the plugin; a hook that depends on the tenant stays a function of the plugin::

        HOOKS = SupplierHooks(SUPPLIER, MyDemoBackend, identity_methods=[METHOD], request_types=REQUEST_TYPES)
        portal_supplier = HOOKS.portal_supplier
        portal_demo_backend = HOOKS.portal_demo_backend
        portal_identity_methods = HOOKS.portal_identity_methods
        portal_request_types = HOOKS.portal_request_types
    """

    def __init__(
        self,
        supplier: SupplierInfo,
        demo_backend: Callable[[], BillingAdapter],
        *,
        identity_methods: Sequence[IdentityMethod] = (),
        request_types: Sequence[RequestType] = (),
    ) -> None:
        self.supplier: SupplierInfo = supplier
        """What ``portal_supplier`` answers."""
        self.demo_backend: Callable[[], BillingAdapter] = demo_backend
        """What ``portal_demo_backend`` calls for a new demo back-end."""
        self.identity_methods: tuple[IdentityMethod, ...] = tuple(identity_methods)
        """What ``portal_identity_methods`` answers, the first offered first."""
        self.request_types: tuple[RequestType, ...] = tuple(request_types)
        """What ``portal_request_types`` answers."""

    @hookimpl
    def portal_supplier(self) -> SupplierInfo:
        """The supplier's description."""
        return self.supplier

    @hookimpl
    def portal_demo_backend(self) -> BillingAdapter:
        """A new demo back-end; the core keeps one per tenant."""
        return self.demo_backend()

    @hookimpl
    def portal_identity_methods(self, tenant: Any) -> list[IdentityMethod]:
        """The identity methods, in the order offered."""
        return list(self.identity_methods)

    @hookimpl
    def portal_request_types(self, tenant: Any) -> list[RequestType]:
        """The request types."""
        return list(self.request_types)
