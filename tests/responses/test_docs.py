from responses.management.commands.document_transitions import TARGET, render


def test_state_machine_document_is_current():
    assert TARGET.read_text() == render(), "run: python manage.py document_transitions"
