"""The hooks a core feature answers from what it declares, written once for every feature
(``core/<feature>/hooks.py``), through the same pluggy hooks plugins use."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.hookspecs import hookimpl

if TYPE_CHECKING:
    from flask import Blueprint

    from core.api.base import ApiEndpoints
    from core.framework.descriptions import NavigationItem, OutboxHandler


class FeatureHooks:
    """A feature's pages, its entry in the navigation, its outbox handler and its API endpoints.

    ``FeatureHooks(blueprint, navigation, outbox=..., api=...)``: ``blueprint`` is the
    feature's pages, ``navigation`` its entry in the menu for every signed-in customer,
    ``outbox`` the handler of the messages its writes leave for the back-end and ``api``
    its endpoints under ``/api/v1``. The feature's ``hooks`` module binds the methods of
    what it has under the hooks' names, which registers them; a hook that depends on the
    tenant or the app stays a function of the module::

        HOOKS = FeatureHooks(views.bp, NavigationItem("readings.index", _l("Meter readings"), order=40),
                             outbox=OutboxHandler(service.KIND, service.deliver, service.apply_answer),
                             api=api.endpoints)
        portal_blueprints = HOOKS.portal_blueprints
        portal_navigation = HOOKS.portal_navigation
        portal_outbox_handlers = HOOKS.portal_outbox_handlers
        portal_api_endpoints = HOOKS.portal_api_endpoints
    """

    def __init__(
        self,
        blueprint: Blueprint,
        navigation: NavigationItem | None = None,
        *,
        outbox: OutboxHandler | None = None,
        api: ApiEndpoints | None = None,
    ) -> None:
        self.blueprint = blueprint
        self.navigation = navigation
        self.outbox = outbox
        self.api = api

    @hookimpl
    def portal_blueprints(self) -> list[Blueprint]:
        return [self.blueprint]

    @hookimpl
    def portal_navigation(self, tenant: Any, user: Any) -> list[NavigationItem]:
        return [self.navigation] if self.navigation is not None else []

    @hookimpl
    def portal_outbox_handlers(self) -> list[OutboxHandler]:
        return [self.outbox] if self.outbox is not None else []

    @hookimpl
    def portal_api_endpoints(self) -> list[ApiEndpoints]:
        return [self.api] if self.api is not None else []
