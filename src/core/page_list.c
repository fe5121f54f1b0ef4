/*
 * page_list.c - doubly linked lists of pages threaded through the frame
 * table, as Xen's page_list with pdx links.  A list holds block heads.
 * Link value 0 means "none": MFN 0 never enters the heap nor a domain.
 * Callers hold the lock that protects the list.
 */
#include "core.h"

void page_list_init(struct page_list_head *head)
{
    head->next = head->tail = 0;
}

bool page_list_empty(const struct page_list_head *head)
{
    return !head->next;
}

struct page_info *page_list_first(const struct host *h,
                                  const struct page_list_head *head)
{
    return pdx_to_page(h, head->next);
}

struct page_info *page_list_last(const struct host *h,
                                 const struct page_list_head *head)
{
    return pdx_to_page(h, head->tail);
}

struct page_info *page_list_next(const struct host *h, const struct page_info *pg)
{
    return pdx_to_page(h, pg->next);
}

void page_list_add(struct host *h, struct page_info *pg,
                   struct page_list_head *head)
{
    uint32_t pdx = page_to_pdx(h, pg);

    pg->prev = 0;
    pg->next = head->next;
    if ( head->next )
        h->frame_table[head->next].prev = pdx;
    else
        head->tail = pdx;
    head->next = pdx;
}

void page_list_add_tail(struct host *h, struct page_info *pg,
                        struct page_list_head *head)
{
    uint32_t pdx = page_to_pdx(h, pg);

    pg->next = 0;
    pg->prev = head->tail;
    if ( head->tail )
        h->frame_table[head->tail].next = pdx;
    else
        head->next = pdx;
    head->tail = pdx;
}

void page_list_del(struct host *h, struct page_info *pg,
                   struct page_list_head *head)
{
    if ( pg->prev )
        h->frame_table[pg->prev].next = pg->next;
    else
        head->next = pg->next;
    if ( pg->next )
        h->frame_table[pg->next].prev = pg->prev;
    else
        head->tail = pg->prev;
    pg->next = pg->prev = 0;
}

struct page_info *page_list_remove_head(struct host *h,
                                        struct page_list_head *head)
{
    struct page_info *pg = page_list_first(h, head);

    if ( pg )
        page_list_del(h, pg, head);
    return pg;
}
