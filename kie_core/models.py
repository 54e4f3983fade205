"""Model specifications: what each model can do and costs, and local validation against it.

A :class:`ModelSpec` is data: its variants (``seedance`` has pro, lite and pro-fast), each
variant's input modes (text-to-video, image-to-video...), the durations, aspect ratios and
resolutions of each mode, the price rows, the combinations the API forbids and the deprecation.
:meth:`ModelSpec.resolve` checks a :class:`~kie_core.request.VideoRequest` against it before any
network call and names the field, the value and what is accepted when it refuses.
"""

from __future__ import annotations

import warnings
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from kie_core.errors import InvalidRequestError, PluginError, invalid_request_from
from kie_core.request import INPUT_FIELDS, InputKind, VideoRequest

if TYPE_CHECKING:
    from kie_core.calls import EndpointCall
    from kie_core.families.base import TaskFamily


class DeprecatedModelWarning(UserWarning):
    """Issued before a request for a deprecated or retired model is sent."""


class ProviderOptions(BaseModel):
    """Base of a model's own options (``VideoRequest.options``): unknown fields are refused.

    Subclass it with one field per provider option; a typo is then an error naming the
    accepted options instead of a field silently left out of the payload.
    """

    model_config = ConfigDict(extra="forbid")


class PriceRow(BaseModel):
    """One published price: credits for the settings in ``when`` (all must match).

    ``when`` keys are ``duration``, ``resolution``, ``aspect_ratio`` or an option name. With
    ``per_second`` the credits are multiplied by the duration.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    credits: float = Field(ge=0)
    when: dict[str, str | int | float | bool] = Field(default_factory=dict)
    per_second: bool = False
    note: str = ""


class Forbidden(BaseModel):
    """A combination of settings the API refuses, e.g. Runway ``duration=10`` with ``1080p``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    when: dict[str, str | int | float | bool]
    reason: str


class Mode(BaseModel):
    """One way of calling a model, chosen by the inputs a request carries.

    ``requires`` must all be present and every present input must be in ``accepts``. Empty
    ``durations`` / ``aspect_ratios`` / ``resolutions`` mean the value is not settable (it follows
    the input media or is fixed by the model).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    kie_model: str | None = None
    requires: frozenset[InputKind]
    accepts: frozenset[InputKind] = frozenset()
    durations: tuple[int, ...] = ()
    aspect_ratios: tuple[str, ...] = ()
    resolutions: tuple[str, ...] = ()
    default_duration: int | None = None
    default_aspect_ratio: str | None = None
    default_resolution: str | None = None
    max_reference_images: int = 0
    prices: tuple[PriceRow, ...] = ()
    forbidden: tuple[Forbidden, ...] = ()

    @model_validator(mode="after")
    def _check(self) -> Mode:
        if not self.requires <= self.all_inputs:
            raise ValueError("requires must be a subset of accepts")
        for name, default, values in (
            ("duration", self.default_duration, self.durations),
            ("aspect_ratio", self.default_aspect_ratio, self.aspect_ratios),
            ("resolution", self.default_resolution, self.resolutions),
        ):
            if default is not None and default not in values:
                raise ValueError(f"default {name} {default!r} is not among {values}")
            if values and default is None:
                raise ValueError(f"mode {self.name!r} lists {name} values but no default")
        return self

    @property
    def all_inputs(self) -> frozenset[InputKind]:
        """Every input kind this mode takes (required or optional)."""
        return self.accepts | self.requires


class Variant(BaseModel):
    """A named variant of a model (``pro``, ``lite``, ``master``) reached through its aliases."""

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    name: str
    aliases: tuple[str, ...] = ()
    description: str = ""
    modes: tuple[Mode, ...] = Field(min_length=1)
    options_model: type[BaseModel] | None = Field(default=None, exclude=True, repr=False)


class ModelSpec(BaseModel):
    """Everything kie knows about one model before calling it.

    The first variant is the default, reached by ``name``; the others by their aliases.

    The task family follows from the family object the model is built with
    (:class:`~kie_core.families.market.MarketModel` is Market, a dedicated model names its
    own), and the provider is the plugin that registers the model, which the registry records.
    ``family`` and ``provider`` are accepted for compatibility only: a ``family`` that differs
    from the model's family object is refused when the model is built or registered.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9.\-]*$")
    title: str
    family: str | None = None
    provider: str = ""
    description: str = ""
    aliases: tuple[str, ...] = ()
    variants: tuple[Variant, ...] = Field(min_length=1)
    prompt_max_length: int | None = None
    prompt_required: bool = True
    negative_prompt_max_length: int | None = None
    seed_range: tuple[int, int] | None = None
    deprecated: date | None = None
    deprecation_note: str = ""
    options_model: type[BaseModel] | None = Field(default=None, exclude=True, repr=False)

    @model_validator(mode="after")
    def _check_names(self) -> ModelSpec:
        names = [self.name, *self.aliases]
        for variant in self.variants:
            names.extend(variant.aliases)
        if len(names) != len(set(names)):
            raise ValueError(f"model {self.name!r} repeats a name or alias: {names}")
        return self

    def check_family(self, family: str) -> None:
        """Refuse a declared ``family`` that is not the name of the model's family object.

        Raises:
            PluginError: naming the declared family and the family object's name.
        """
        if self.family is not None and self.family != family:
            raise PluginError(
                f"model {self.name!r} declares family={self.family!r} but is built with the "
                f"{family!r} family object; drop family= (the family object decides it)"
            )

    # --- listing -------------------------------------------------------------------------

    @property
    def default_variant(self) -> Variant:
        """The variant reached by the model's own name."""
        return self.variants[0]

    def all_names(self) -> tuple[str, ...]:
        """Return the name, the plain aliases and every variant alias."""
        names = [self.name, *self.aliases]
        for variant in self.variants:
            names.extend(variant.aliases)
        return tuple(names)

    def _union(self, attr: str, variants: Iterable[Variant] | None = None) -> tuple[Any, ...]:
        seen: dict[Any, None] = {}
        for variant in variants if variants is not None else self.variants:
            for mode in variant.modes:
                for value in getattr(mode, attr):
                    seen[value] = None
        return tuple(seen)

    @property
    def durations(self) -> tuple[int, ...]:
        """Durations in seconds across every variant and mode, sorted."""
        return tuple(sorted(self._union("durations")))

    @property
    def aspect_ratios(self) -> tuple[str, ...]:
        """Aspect ratios across every variant and mode."""
        return self._union("aspect_ratios")

    @property
    def resolutions(self) -> tuple[str, ...]:
        """Resolutions across every variant and mode."""
        return self._union("resolutions")

    @property
    def inputs(self) -> tuple[str, ...]:
        """Every input kind any mode accepts, in a stable order."""
        kinds: set[InputKind] = set()
        for variant in self.variants:
            for mode in variant.modes:
                kinds |= mode.all_inputs
        return tuple(kind.value for kind in InputKind if kind in kinds)

    @property
    def kie_models(self) -> tuple[str, ...]:
        """The KIE model identifiers this model routes to."""
        return tuple(
            dict.fromkeys(
                mode.kie_model for v in self.variants for mode in v.modes if mode.kie_model
            )
        )

    def option_keys(self, variant: Variant | None = None) -> list[str]:
        """Return the keys ``--option`` / ``options`` accepts, for one variant or for any.

        Args:
            variant: only this variant's keys (its own options model, else the model's).
        """
        variants = (variant,) if variant is not None else self.variants
        keys: dict[str, None] = {}
        for item in variants:
            options_model = item.options_model or self.options_model
            if options_model is not None:
                keys.update(dict.fromkeys(options_model.model_fields))
        if not variants and self.options_model is not None:
            keys.update(dict.fromkeys(self.options_model.model_fields))
        return list(keys)

    def summary(self) -> dict[str, Any]:
        """Return a JSON-ready description for listings (`kie models --json`)."""
        return {
            "name": self.name,
            "title": self.title,
            "aliases": list(self.all_names()[1:]),
            "provider": self.provider,
            "family": self.family,
            "durations": list(self.durations),
            "aspect_ratios": list(self.aspect_ratios),
            "resolutions": list(self.resolutions),
            "inputs": list(self.inputs),
            "kie_models": list(self.kie_models),
            "prompt_max_length": self.prompt_max_length,
            "deprecated": self.deprecated.isoformat() if self.deprecated else None,
            "deprecation_note": self.deprecation_note or None,
            "options": self.option_keys(),
            "variants": [
                {
                    "name": variant.name,
                    "aliases": list(variant.aliases),
                    "options": self.option_keys(variant),
                    "modes": [
                        {
                            "name": mode.name,
                            "kie_model": mode.kie_model,
                            "requires": sorted(k.value for k in mode.requires),
                            "accepts": sorted(k.value for k in mode.all_inputs),
                            "durations": list(mode.durations),
                            "aspect_ratios": list(mode.aspect_ratios),
                            "resolutions": list(mode.resolutions),
                            "prices": [row.model_dump() for row in mode.prices],
                        }
                        for mode in variant.modes
                    ],
                }
                for variant in self.variants
            ],
        }

    # --- validation ----------------------------------------------------------------------

    def variant_for(self, name: str) -> Variant:
        """Return the variant a name or alias selects."""
        for variant in self.variants:
            if name in variant.aliases:
                return variant
        if name == self.name or name in self.aliases:
            return self.default_variant
        raise InvalidRequestError(
            f"model {self.name!r} has no name or alias {name!r}",
            field="model",
            value=name,
            accepted=self.all_names(),
        )

    def resolve(self, request: VideoRequest) -> ResolvedRequest:
        """Check ``request`` against this model and fill in defaults.

        Raises:
            InvalidRequestError: naming the field, the value and what is accepted.
        """
        variant = self.variant_for(request.model)
        label = request.model
        mode = _choose_mode(label, variant, request.input_kinds())

        if (InputKind.TEXT in mode.requires or self.prompt_required) and not request.prompt:
            raise InvalidRequestError(
                f"{label} needs a prompt", field="prompt", value=request.prompt
            )
        if self.prompt_max_length is not None and len(request.prompt) > self.prompt_max_length:
            raise InvalidRequestError(
                f"prompt is {len(request.prompt)} characters; {label} accepts at most "
                f"{self.prompt_max_length}",
                field="prompt",
                value=f"<{len(request.prompt)} characters>",
            )

        duration = _pick(label, "duration", request.duration, mode.durations, mode.default_duration)
        aspect = _pick(
            label,
            "aspect_ratio",
            _normalize_choice(request.aspect_ratio, mode.aspect_ratios),
            mode.aspect_ratios,
            mode.default_aspect_ratio,
        )
        resolution = _pick(
            label,
            "resolution",
            _normalize_choice(request.resolution, mode.resolutions),
            mode.resolutions,
            mode.default_resolution,
        )

        count = len(request.reference_images)
        if count > mode.max_reference_images and InputKind.REFERENCE_IMAGES in mode.all_inputs:
            raise InvalidRequestError(
                f"{label} takes at most {mode.max_reference_images} reference images, got {count}",
                field="reference_images",
                value=count,
                accepted=tuple(range(1, mode.max_reference_images + 1)),
            )

        self._check_extras(label, request)
        options_model = variant.options_model or self.options_model
        options = _validate_options(label, options_model, request.options)

        settings: dict[str, Any] = {
            "duration": duration,
            "aspect_ratio": aspect,
            "resolution": resolution,
            **options,
        }
        for rule in mode.forbidden:
            if all(settings.get(key) == value for key, value in rule.when.items()):
                combo = ", ".join(f"{key}={value}" for key, value in rule.when.items())
                first_key = next(iter(rule.when))
                raise InvalidRequestError(
                    f"{label} does not allow {combo}: {rule.reason}",
                    field=first_key,
                    value=rule.when[first_key],
                )

        warnings_list: list[str] = []
        if self.deprecated is not None:
            warnings_list.append(
                f"{self.name} is deprecated since {self.deprecated.isoformat()}"
                + (f": {self.deprecation_note}" if self.deprecation_note else "")
            )

        return ResolvedRequest(
            spec=self,
            variant=variant,
            mode=mode,
            request=request.model_copy(
                update={"duration": duration, "aspect_ratio": aspect, "resolution": resolution}
            ),
            options=options,
            warnings=tuple(warnings_list),
        )

    def _check_extras(self, label: str, request: VideoRequest) -> None:
        if request.negative_prompt is not None:
            if self.negative_prompt_max_length is None:
                raise InvalidRequestError(
                    f"{label} does not accept a negative prompt",
                    field="negative_prompt",
                    value=request.negative_prompt,
                )
            if len(request.negative_prompt) > self.negative_prompt_max_length:
                raise InvalidRequestError(
                    f"negative_prompt is {len(request.negative_prompt)} characters; {label} "
                    f"accepts at most {self.negative_prompt_max_length}",
                    field="negative_prompt",
                    value=f"<{len(request.negative_prompt)} characters>",
                )
        if request.seed is not None:
            if self.seed_range is None:
                raise InvalidRequestError(
                    f"{label} does not accept a seed", field="seed", value=request.seed
                )
            low, high = self.seed_range
            if not low <= request.seed <= high:
                raise InvalidRequestError(
                    f"seed {request.seed} is out of range for {label}: {low} to {high}",
                    field="seed",
                    value=request.seed,
                    accepted=(low, high),
                )


class ResolvedRequest(BaseModel):
    """A request checked against a model, with its variant, mode and defaults filled in."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    spec: ModelSpec
    variant: Variant
    mode: Mode
    request: VideoRequest
    options: dict[str, Any]
    warnings: tuple[str, ...] = ()

    def setting(self, key: str) -> Any:
        """Return a setting by price/forbidden key: duration, resolution, aspect_ratio, option."""
        if key in ("duration", "resolution", "aspect_ratio"):
            return getattr(self.request, key)
        return self.options.get(key)

    def estimate_credits(self) -> float | None:
        """Estimate the credits this request costs from the mode's price rows, if any match."""
        best: PriceRow | None = None
        for row in self.mode.prices:
            if all(self.setting(k) == v for k, v in row.when.items()) and (
                best is None or len(row.when) > len(best.when)
            ):
                best = row
        if best is None:
            return None
        if best.per_second:
            if self.request.duration is None:
                return None  # the length follows the input media: unknown before the call
            return best.credits * self.request.duration
        return best.credits

    def warn(self) -> None:
        """Issue the deprecation warnings of this request (before anything is spent)."""
        for message in self.warnings:
            warnings.warn(message, DeprecatedModelWarning, stacklevel=3)


def _choose_mode(label: str, variant: Variant, present: frozenset[InputKind]) -> Mode:
    fitting = [m for m in variant.modes if m.requires <= present <= m.all_inputs]
    if fitting:
        return max(fitting, key=lambda m: len(m.requires))
    accepted_any: set[InputKind] = set()
    for mode in variant.modes:
        accepted_any |= mode.all_inputs
    extra = sorted(present - accepted_any)
    if extra:
        kind = extra[0]
        raise InvalidRequestError(
            f"{label} does not accept {INPUT_FIELDS[kind]}; it accepts "
            + ", ".join(INPUT_FIELDS[k] for k in InputKind if k in accepted_any),
            field=INPUT_FIELDS[kind],
            value=kind.value,
            accepted=[INPUT_FIELDS[k] for k in InputKind if k in accepted_any],
        )
    # Every input is accepted somewhere: a required one is missing, or the mix fits no mode.
    closest = min(
        variant.modes, key=lambda m: (len(present - m.all_inputs), len(m.requires - present))
    )
    missing = sorted(closest.requires - present)
    if missing:
        names = [INPUT_FIELDS[k] for k in missing]
        raise InvalidRequestError(
            f"{label} ({closest.name}) needs {' and '.join(names)}",
            field=names[0],
            value=None,
            accepted=[
                f"{m.name}: {', '.join(INPUT_FIELDS[k] for k in sorted(m.requires))}"
                for m in variant.modes
            ],
        )
    raise InvalidRequestError(
        f"{label} cannot combine "
        + ", ".join(INPUT_FIELDS[k] for k in sorted(present))
        + "; its modes are "
        + "; ".join(
            f"{m.name} ({', '.join(INPUT_FIELDS[k] for k in sorted(m.all_inputs))})"
            for m in variant.modes
        ),
        field=INPUT_FIELDS[sorted(present - closest.all_inputs)[0]],
        value=None,
    )


def _normalize_choice(value: str | None, accepted: tuple[str, ...]) -> str | None:
    """Match ``value`` to the accepted spelling case-insensitively (``1080p`` vs ``1080P``)."""
    if value is None:
        return None
    for item in accepted:
        if item.lower() == value.lower():
            return item
    return value


def _pick(label: str, field: str, value: Any, accepted: tuple[Any, ...], default: Any) -> Any:
    if value is None:
        return default
    if not accepted:
        raise InvalidRequestError(
            f"{label} does not accept a {field} setting (it follows the input or is fixed); "
            f"got {value!r}",
            field=field,
            value=value,
            accepted=(),
        )
    if value not in accepted:
        shown = ", ".join(str(item) for item in accepted)
        unit = " s" if field == "duration" else ""
        raise InvalidRequestError(
            f"{field} {value!r} is not supported by {label}; accepted: {shown}{unit}",
            field=field,
            value=value,
            accepted=accepted,
        )
    return value


def _validate_options(
    label: str, options_model: type[BaseModel] | None, options: Mapping[str, Any]
) -> dict[str, Any]:
    if options_model is None:
        if options:
            key = next(iter(options))
            raise InvalidRequestError(
                f"{label} takes no options; got {key!r}",
                field=f"options.{key}",
                value=options[key],
                accepted=(),
            )
        return {}
    try:
        parsed = options_model.model_validate(dict(options))
    except ValidationError as exc:
        raise invalid_request_from(
            exc,
            accepted=tuple(options_model.model_fields),
            owner=label,
            noun="option",
            prefix="options.",
        ) from None
    return parsed.model_dump(exclude_none=True, exclude_unset=True)


class VideoModel(ABC):
    """A model a plugin registers: its spec, its task family and how to build its create call.

    Plugins are pure translations: :meth:`build_call` returns the request to make and never
    does HTTP. Market models usually use :class:`kie_core.families.market.MarketModel` instead
    of subclassing this directly.
    """

    spec: ModelSpec
    family: TaskFamily

    @abstractmethod
    def build_call(self, resolved: ResolvedRequest) -> EndpointCall:
        """Return the create call for a request already checked by :meth:`ModelSpec.resolve`.

        Media inputs in ``resolved.request`` are URLs by now (local files were uploaded).
        """

    def resolve(self, request: VideoRequest) -> ResolvedRequest:
        """Check a request against this model's spec (see :meth:`ModelSpec.resolve`)."""
        return self.spec.resolve(request)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.spec.name}>"
