from smartunion.ai.text import ensure_jieba, jieba_tokenize


def test_words_without_punctuation_or_spaces() -> None:
    tokens = jieba_tokenize("食堂的饭菜太贵了，希望学校降低价格！  停车难")
    assert "食堂" in tokens and "饭菜" in tokens and "价格" in tokens
    assert not any(token.strip() in {"", "，", "！"} for token in tokens)


def test_empty_and_none() -> None:
    assert jieba_tokenize("") == []
    assert jieba_tokenize("，。！ ") == []


def test_ensure_jieba_is_idempotent_and_caches_in_var_dir(settings) -> None:
    ensure_jieba()
    ensure_jieba()
    import jieba

    assert jieba.dt.initialized
    assert str(settings.VAR_DIR) in str(jieba.dt.tmp_dir)


def test_tokenizer_pickles_by_its_stable_path() -> None:
    import pickle

    assert pickle.loads(pickle.dumps(jieba_tokenize)) is jieba_tokenize
    assert jieba_tokenize.__module__ == "smartunion.ai.text"
