"""A film's private forum: threads and posts of its co-producers."""

from chalice import Blueprint

from chalicelib import web
from chalicelib.lazy import forum, schemas

bp = Blueprint(__name__)


@bp.route("/films/{film_id}/forum/threads", methods=["GET"])
def forum_threads(film_id):
    return forum.list_threads(web.caller(bp.current_request), web.check_id(film_id, "film_id"),
                              **web.page(bp.current_request))


@bp.route("/films/{film_id}/forum/threads", methods=["POST"])
def create_forum_thread(film_id):
    caller = web.caller(bp.current_request)
    return web.created(forum.create_thread(caller, web.check_id(film_id, "film_id"),
                                           web.parse_body(bp.current_request, schemas.ThreadCreate)))


@bp.route("/films/{film_id}/forum/threads/{thread_id}/posts", methods=["GET"])
def forum_posts(film_id, thread_id):
    return forum.list_posts(web.caller(bp.current_request), web.check_id(film_id, "film_id"),
                            web.check_id(thread_id, "thread_id"), **web.page(bp.current_request))


@bp.route("/films/{film_id}/forum/threads/{thread_id}/posts", methods=["POST"])
def create_forum_post(film_id, thread_id):
    caller = web.caller(bp.current_request)
    return web.created(forum.create_post(caller, web.check_id(film_id, "film_id"),
                                         web.check_id(thread_id, "thread_id"),
                                         web.parse_body(bp.current_request, schemas.PostCreate)))


@bp.route("/films/{film_id}/forum/threads/{thread_id}/posts/{post_id}", methods=["PATCH"])
def update_forum_post(film_id, thread_id, post_id):
    caller = web.caller(bp.current_request)
    return forum.patch_post(caller, web.check_id(film_id, "film_id"), web.check_id(thread_id, "thread_id"),
                            web.check_id(post_id, "post_id"), web.parse_body(bp.current_request, schemas.PostPatch))
