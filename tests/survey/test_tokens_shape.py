"""Link tokens never start with a character spreadsheets read as a formula."""

from nets_app.services.tokens import TOKEN_RE, new_token


def test_tokens_start_with_a_letter_or_digit_and_are_well_formed():
    tokens = [new_token() for _ in range(2000)]
    assert all(t[0].isalnum() for t in tokens)
    assert all(TOKEN_RE.match(t) for t in tokens)
    assert len(set(tokens)) == len(tokens)
