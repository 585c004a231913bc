import Model

/// The filter bar over a list (and over the dashboard that counts that list's filter): the list
/// follows as the fields are typed into; Enter keeps the filter, Esc puts the old one back.
final class FilterOverlay: Screen {
    var form: FilterForm
    /// The list whose filter this edits.
    let list: ReviewListScreen
    /// Whether the list showed 待办 when the bar opened (Esc puts that back too).
    let wasTodo: Bool

    init(list: ReviewListScreen, lang: Language) {
        self.list = list
        wasTodo = list.todo
        form = FilterForm(filter: list.filter, preset: list.periodPreset, lang: lang, storedOrgs: list.ctx.live.index?.orgNames ?? [])
    }

    var mode: Mode { .filter }
    var isOverlay: Bool { true }

    func unavailable(_ r: Requirement) -> Localized? {
        guard r == .organisationField, form.field != .orgs else { return nil }
        return Localized("只在组织机构一栏勾选", "ticking works in the organisation field")
    }

    func handle(_ command: Command, _ session: ReviewSession) -> Reaction? {
        let ctx = list.ctx
        switch command {
        case .nextField: form.moveField(1)
        case .previousField: form.moveField(-1)
        case .nextOption, .previousOption:
            let changed = form.step(command == .nextOption ? 1 : -1, reference: ctx.reference, lang: ctx.lang)
            return changed ? applyForm(session) : .redraw
        case .toggleOption:
            form.toggleOrg(reference: ctx.reference)
            return applyForm(session)
        case .deleteBackward, .clearInput:
            return form.edit(command) ? applyForm(session) : .redraw
        case .accept:
            session.pop()
            if list.refilterDue {
                list.refilterDue = false
                return [.refilter, .redraw]
            }
        case .cancel:
            list.filter = form.original
            list.periodPreset = form.originalPreset
            list.todo = wasTodo
            session.pop()
            return [.refilter, .redraw]
        default:
            return []
        }
        return .redraw
    }

    func type(_ character: Character, _ session: ReviewSession) -> Reaction? {
        guard form.type(character) else { return [] }
        return applyForm(session)
    }

    /// The list follows the filter bar as it is typed into.
    private func applyForm(_ session: ReviewSession) -> Reaction {
        let ctx = list.ctx
        let (f, preset, _) = form.parse(reference: ctx.reference, today: ctx.clock(), lang: ctx.lang)
        list.periodPreset = preset
        guard f != list.filter else { return .redraw }
        let onlyText = f.text != list.filter.text && { var g = f; g.text = list.filter.text; return g == list.filter }()
        list.filter = f
        list.filterEdited()
        // A text search runs in the background in the app (each keystroke interrupts the last);
        // without that (scripted sessions), the query waits for a pause in typing.
        if onlyText, f.text != nil, !ctx.background {
            list.refilterDue = true
            return .redraw
        }
        list.refilterDue = false
        return [.refilter, .redraw]
    }
}
